"""PostgreSQL: name words, for the name search at national scale.

- `registry_name_word`: every distinct word of every `name_key` (a few thousand to tens of
  thousands), kept by statement triggers. A typed word is matched against these words, not
  against a million names: by key (the word and its one-edit variants), by range in byte
  order (prefixes; suffixes through `reverse(word)`) and, for longer words with no match
  within one edit, by trigram similarity.
- A GIN index of each person's words (`string_to_array(name_key, ' ')`): the people whose
  words include one of the matched words, for every typed word, are found by intersecting
  posting lists (`&&`), a few ms even for the commonest names.

Words of names changed or removed stay in the table: they only widen a lookup, never a
result. SQLite keeps its FTS5 trigram index (0010) instead.
"""

from django.db import migrations

UP = [
    "CREATE TABLE IF NOT EXISTS registry_name_word (word text COLLATE \"C\" PRIMARY KEY)",
    "INSERT INTO registry_name_word (word) "
    "SELECT DISTINCT unnest(string_to_array(name_key, ' ')) FROM registry_individual "
    "ON CONFLICT DO NOTHING",
    "CREATE INDEX IF NOT EXISTS registry_name_word_reversed ON registry_name_word (reverse(word))",
    "CREATE INDEX IF NOT EXISTS registry_name_word_trgm "
    "ON registry_name_word USING gin (word gin_trgm_ops)",
    "ANALYZE registry_name_word",
    "CREATE INDEX IF NOT EXISTS registry_individual_name_words "
    "ON registry_individual USING gin (string_to_array(name_key, ' '))",
    # The trigram index of whole names (0002) is no longer read; it was the costliest to keep.
    "DROP INDEX IF EXISTS registry_individual_name_trgm",
    """
    CREATE OR REPLACE FUNCTION registry_name_words_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO registry_name_word (word)
        SELECT DISTINCT w FROM changed, unnest(string_to_array(changed.name_key, ' ')) AS w
        WHERE w <> ''
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS registry_name_words_inserted ON registry_individual",
    "CREATE TRIGGER registry_name_words_inserted AFTER INSERT ON registry_individual "
    "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
    "EXECUTE FUNCTION registry_name_words_add()",
    "DROP TRIGGER IF EXISTS registry_name_words_updated ON registry_individual",
    "CREATE TRIGGER registry_name_words_updated AFTER UPDATE ON registry_individual "
    "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT "
    "EXECUTE FUNCTION registry_name_words_add()",
]
DOWN = [
    "CREATE INDEX IF NOT EXISTS registry_individual_name_trgm "
    "ON registry_individual USING gin (name_key gin_trgm_ops)",
    "DROP TRIGGER IF EXISTS registry_name_words_updated ON registry_individual",
    "DROP TRIGGER IF EXISTS registry_name_words_inserted ON registry_individual",
    "DROP FUNCTION IF EXISTS registry_name_words_add()",
    "DROP INDEX IF EXISTS registry_individual_name_words",
    "DROP TABLE IF EXISTS registry_name_word",
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
    dependencies = [("registry", "0010_name_fts_and_birth_date_index")]
    operations = [migrations.RunPython(up, down)]
