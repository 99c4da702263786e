"""PostgreSQL: pg_trgm (and unaccent for later SQL-side folding) with trigram indexes for the
name and document searches. SQLite has no such indexes; search works there without them."""

from django.db import migrations

UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE INDEX IF NOT EXISTS registry_individual_name_trgm "
    "ON registry_individual USING gin (name_key gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS registry_document_number_trgm "
    "ON registry_document USING gin (number_key gin_trgm_ops)",
]
DOWN = [
    "DROP INDEX IF EXISTS registry_document_number_trgm",
    "DROP INDEX IF EXISTS registry_individual_name_trgm",
]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in UP:
            schema_editor.execute(sql)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
