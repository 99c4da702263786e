"""Running the application as a PostgreSQL role that does not own its tables (issue 10, 5).

The owner (DATABASE_OWNER_URL, with AMPARO_AS_OWNER=1) migrates and runs these commands;
the application (DATABASE_URL) reads and writes rows, and on the audit table may only read and
append: no UPDATE, DELETE or TRUNCATE privilege, and as it owns nothing it cannot disable the
table's triggers either. See docs/operations.md.
"""

import datetime
import os

import dj_database_url
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.utils.translation import gettext as _
from psycopg import sql

from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent

AUDIT_TABLE = AuditEvent._meta.db_table


def app_database() -> dict:
    """The application's own connection settings (DATABASE_URL), even when this command
    connects as the owner (AMPARO_AS_OWNER=1)."""
    url = os.environ.get("DATABASE_URL")
    return dict(dj_database_url.parse(url) if url else settings.DATABASES[DEFAULT_DB_ALIAS])


def app_role_name() -> str:
    return str(app_database().get("USER") or "")


def grant_app_role(*, role: str, create: bool = False) -> list[str]:
    """Give `role` what the application needs, and on the audit table only SELECT and INSERT.

    Run as the tables' owner, after every migration (new tables), idempotent. With `create`,
    a missing role is created with LOGIN, and the password of DATABASE_URL when it is that
    URL's user (the owner then needs CREATEROLE). Refuses a role that owns the tables or is a
    superuser: either could empty the audit log. Returns the statements run, for the operator.
    """
    if connection.vendor != "postgresql":
        raise ActionError.general(_("Database roles are a PostgreSQL feature."))
    if not role:
        raise ActionError.on("role", _("Name the application's database role."))
    with transaction.atomic(), connection.cursor() as cursor:
        _require_owner(cursor)
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        statements = []
        if found is None and not create:
            raise ActionError.on(
                "role", _("The database role %(role)s does not exist.") % {"role": role}
            )
        if found is None:
            app = app_database()
            password = (app.get("PASSWORD") or None) if app.get("USER") == role else None
            statements.append(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        elif found[0]:
            raise ActionError.on(
                "role",
                _("%(role)s is a superuser: run the application as an ordinary role.")
                % {"role": role},
            )
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT_TABLE])
        owner = cursor.fetchone()
        if owner is None:
            raise ActionError.general(_("Apply the migrations first (amparo migrate)."))
        if owner[0] == role:
            raise ActionError.on(
                "role",
                _("%(role)s owns the tables: the application needs a role of its own.")
                % {"role": role},
            )
        statements += _grants(role, owner=owner[0])
        for statement in statements:
            cursor.execute(statement)
    return [statement.as_string(connection.connection) for statement in statements]


def _require_owner(cursor) -> None:
    cursor.execute(
        "SELECT tableowner = current_user OR (SELECT rolsuper FROM pg_roles"
        " WHERE rolname = current_user) FROM pg_tables WHERE tablename = %s",
        [AUDIT_TABLE],
    )
    row = cursor.fetchone()
    if row is None:
        raise ActionError.general(_("Apply the migrations first (amparo migrate)."))
    if not row[0]:
        raise ActionError.general(
            _("Run this as the tables' owner: AMPARO_AS_OWNER=1 with DATABASE_OWNER_URL.")
        )


def _grants(role: str, *, owner: str) -> list[sql.Composed]:
    r, o = sql.Identifier(role), sql.Identifier(owner)
    db = sql.Identifier(str(connection.settings_dict["NAME"]))
    audit = sql.Identifier(AUDIT_TABLE)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, r),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            r
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(
            audit, r
        ),
        # Tables that later migrations create get the same rights without waiting for a rerun.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(o, r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(o, r),
    ]


def purge_audit_events(*, before: datetime.datetime) -> int:
    """Delete audit events older than `before` (retention): the owner's task, never the app's.

    On PostgreSQL the append-only trigger is disabled for this one transaction, which only
    the tables' owner may do; the deletion is recorded as an event of its own.
    """
    trigger = sql.Identifier("core_auditevent_no_update")
    table = sql.Identifier(AUDIT_TABLE)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _require_owner(cursor)
            # Deferred foreign-key checks of rows written earlier in the same transaction
            # would block ALTER TABLE: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER {}").format(table, trigger))
        cursor.execute(f"DELETE FROM {AUDIT_TABLE} WHERE at < %s", [before])  # noqa: S608
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(table, trigger))
    return deleted
