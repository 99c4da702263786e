"""Events written before 0008 about GBV/PSEA files get their restriction mark.

Without it, an installation that already held GBV cases would keep showing their opening,
notes, incidents, referrals and services to administrators. The mark only narrows who may read
an event; no field of the event changes. The append-only trigger is lifted for this one
transaction (the owner runs migrations), and put back.
"""

from django.db import migrations

PG_OFF = [
    "SET CONSTRAINTS ALL IMMEDIATE",  # pending deferred checks would block ALTER TABLE
    "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_update",
]
PG_ON = ["ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_no_update"]
SQLITE_OFF = ["DROP TRIGGER IF EXISTS core_auditevent_no_update"]
SQLITE_ON = [
    "CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
]


def _restricted_targets(apps):
    """(target type, target id, office id) of every record of a restricted file."""
    Case = apps.get_model("cases", "Case")
    Incident = apps.get_model("cases", "Incident")
    Referral = apps.get_model("referrals", "Referral")
    Activity = apps.get_model("activities", "Activity")
    yield from (
        ("cases.case", str(u), o)
        for u, o in Case.objects.filter(restricted=True).values_list("uuid", "office_id")
    )
    for label, model in (
        ("cases.incident", Incident),
        ("referrals.referral", Referral),
        ("activities.activity", Activity),
    ):
        rows = model.objects.filter(case__restricted=True).values_list("uuid", "case__office_id")
        yield from ((label, str(u), o) for u, o in rows)


def mark(apps, schema_editor):
    mark_on(apps, schema_editor.connection)


def mark_on(apps, connection) -> int:
    """Mark the events of restricted files on `connection`; how many were marked."""
    AuditEvent = apps.get_model("core", "AuditEvent")
    groups: dict[tuple[str, int], list[str]] = {}
    for label, target_id, office_id in _restricted_targets(apps):
        groups.setdefault((label, office_id), []).append(target_id)
    if not groups:
        return 0
    postgresql = connection.vendor == "postgresql"
    marked = 0
    with connection.cursor() as cursor:
        for statement in PG_OFF if postgresql else SQLITE_OFF:
            cursor.execute(statement)
        for (label, office_id), ids in groups.items():
            for start in range(0, len(ids), 500):
                marked += AuditEvent._base_manager.filter(
                    target_type=label,
                    target_id__in=ids[start : start + 500],
                    restricted_office=None,
                ).update(restricted_office_id=office_id)
        for statement in PG_ON if postgresql else SQLITE_ON:
            cursor.execute(statement)
    return marked


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_audit_events_no_truncate"),
        ("cases", "0002_overdue_and_office_list_indexes"),
        ("referrals", "0001_initial"),
        ("activities", "0001_initial"),
    ]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
