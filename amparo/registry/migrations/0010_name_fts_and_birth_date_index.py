"""SQLite: an FTS5 trigram index over `name_key`, kept in step by triggers, for the fuzzy name
search (PostgreSQL has pg_trgm, 0002); everywhere: an index on the date of birth, for the
duplicate check and a birth date typed in the search box."""

from django.db import migrations, models

SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS registry_individual_fts USING fts5("
    "name_key, content='registry_individual', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS registry_individual_fts_insert "
    "AFTER INSERT ON registry_individual BEGIN "
    "INSERT INTO registry_individual_fts(rowid, name_key) VALUES (new.id, new.name_key); END",
    "CREATE TRIGGER IF NOT EXISTS registry_individual_fts_delete "
    "AFTER DELETE ON registry_individual BEGIN "
    "INSERT INTO registry_individual_fts(registry_individual_fts, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); END",
    "CREATE TRIGGER IF NOT EXISTS registry_individual_fts_update "
    "AFTER UPDATE OF name_key ON registry_individual BEGIN "
    "INSERT INTO registry_individual_fts(registry_individual_fts, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); "
    "INSERT INTO registry_individual_fts(rowid, name_key) VALUES (new.id, new.name_key); END",
    "INSERT INTO registry_individual_fts(registry_individual_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS registry_individual_fts_update",
    "DROP TRIGGER IF EXISTS registry_individual_fts_delete",
    "DROP TRIGGER IF EXISTS registry_individual_fts_insert",
    "DROP TABLE IF EXISTS registry_individual_fts",
]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_delete_reference_counter")]
    operations = [
        migrations.RunPython(up, down),
        migrations.AddIndex(
            model_name="individual",
            index=models.Index(fields=["date_of_birth"], name="individual_birth_date"),
        ),
    ]
