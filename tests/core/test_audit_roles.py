"""The audit log cannot be emptied by the application (issue 10, point 5).

On PostgreSQL a statement trigger refuses TRUNCATE, and the application can run as a role
that does not own the tables (`amparo grant-app-role`): that role reads and appends audit
events and can neither change, delete, truncate them nor silence the triggers.
"""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from amparo.core import audit
from amparo.core.models import AuditEvent

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL roles and TRUNCATE triggers"
)
INSERT_EVENT = (
    "INSERT INTO core_auditevent (at, actor_username, action, target_type, target_id, fields,"
    " details) VALUES (now(), '', 'test.app_role.appended', '', '', '[]', '{}')"
)


@postgresql_only
@pytest.mark.django_db
def test_truncate_of_the_audit_table_is_refused_even_to_its_owner(admin_a):
    audit.record(actor=admin_a, action="test.event")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the event's deferred checks
        cursor.execute("TRUNCATE core_auditevent CASCADE")

    assert AuditEvent.objects.filter(action="test.event").count() == 1


@pytest.fixture
def app_role(transactional_db):
    """A fresh login role, granted as `amparo grant-app-role` grants it, dropped afterwards."""
    role = f"amparo_app_{uuid.uuid4().hex[:8]}"
    call_command("grant_app_role", role=role, create=True, verbosity=0)
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def _connect_as(role: str) -> psycopg.Connection:
    params = connection.get_connection_params()
    params.update(user=role, password=None, autocommit=True)
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None})


@postgresql_only
def test_app_role_appends_and_reads_audit_events_but_cannot_remove_them(app_role, admin_a):
    audit.record(actor=admin_a, action="test.before")
    refused = {}

    with _connect_as(app_role) as conn:
        conn.execute(INSERT_EVENT)
        count = conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0]
        conn.execute("UPDATE core_user SET first_name = 'Ana' WHERE id = %s", [admin_a.pk])
        for name, statement in {
            "update": "UPDATE core_auditevent SET action = 'x'",
            "delete": "DELETE FROM core_auditevent",
            "truncate": "TRUNCATE core_auditevent CASCADE",
            "silence triggers": "SET session_replication_role = replica",
            "disable trigger": "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
            "drop trigger": "DROP TRIGGER core_auditevent_no_truncate ON core_auditevent",
        }.items():
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            refused[name] = True

    admin_a.refresh_from_db()
    assert count == AuditEvent.objects.count()
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "test.before",
        "test.app_role.appended",
    }
    assert admin_a.first_name == "Ana"  # ordinary tables: the app works as before
    assert len(refused) == 6


@postgresql_only
def test_owner_commands_refuse_to_run_as_the_app_role(app_role):
    params = connection.get_connection_params()
    url = f"postgres://{app_role}@{params['host']}:{params['port']}/{params['dbname']}"
    env = {**os.environ, "DATABASE_URL": url, "AMPARO_AS_OWNER": "0"}
    amparo = str(Path(sys.executable).parent / "amparo")

    runs = [
        subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [amparo, *command], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        for command in (["purge-audit", "--before", "2020-01-01"], ["grant-app-role"])
    ]

    assert [run.returncode for run in runs] == [2, 2]
    assert all("AMPARO_AS_OWNER=1" in run.stderr for run in runs)


@postgresql_only
def test_grant_app_role_refuses_the_owner_and_superusers(transactional_db, capsys):
    owner = connection.get_connection_params()["user"]

    with pytest.raises(SystemExit) as exited:
        call_command("grant_app_role", role=owner)

    assert exited.value.code == 2
    assert "superusuario" in capsys.readouterr().err


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite answer")
@pytest.mark.django_db
def test_grant_app_role_on_sqlite_says_it_is_for_postgresql(capsys):
    with pytest.raises(SystemExit):
        call_command("grant_app_role", role="amparo_app")

    assert "PostgreSQL" in capsys.readouterr().err


@pytest.mark.django_db
def test_purge_audit_deletes_only_older_events_and_records_itself(admin_a):
    audit.record(actor=admin_a, action="test.old")
    with connection.cursor() as cursor:
        # The trigger refuses UPDATE: age the event the way only a test may, by insert.
        cursor.execute(
            "INSERT INTO core_auditevent (at, actor_username, action, target_type, target_id,"
            " fields, details) VALUES (%s, '', 'test.ancient', '', '', '[]', '{}')",
            [datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)],
        )

    call_command("purge_audit", before="2021-01-01", verbosity=0)

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert "test.ancient" not in actions
    assert {"test.old", "core.audit.purged"} <= actions
    purged = AuditEvent.objects.get(action="core.audit.purged")
    assert purged.details == {"before": "2021-01-01", "deleted": 1}


@pytest.mark.django_db
def test_purge_audit_refuses_a_future_date(capsys):
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()

    with pytest.raises(SystemExit):
        call_command("purge_audit", before=future)

    assert AuditEvent.objects.count() == 0
