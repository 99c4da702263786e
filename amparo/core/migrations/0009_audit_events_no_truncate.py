"""PostgreSQL: TRUNCATE of the audit table is refused too (issue 10, point 5).

0003 refuses UPDATE and DELETE row by row; TRUNCATE fires no row triggers, so the application's
own database user could empty the log in one statement. A statement trigger refuses it.

Who can still get past it, on purpose: a superuser (`session_replication_role = replica`
silences triggers; the test suite's flush does this, see tests/conftest.py) and the tables'
owner (`ALTER TABLE … DISABLE TRIGGER`, as `amparo purge-audit` does for retention). The
application itself should run as a role that is neither (`amparo grant-app-role`,
docs/operations.md): it then lacks the TRUNCATE, UPDATE and DELETE privileges on this table
as well. SQLite has no TRUNCATE; nothing to do there.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION core_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only: TRUNCATE is refused'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_no_truncate();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_no_truncate();
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_audit_event_restricted_office")]
    operations = [migrations.RunPython(up, down)]
