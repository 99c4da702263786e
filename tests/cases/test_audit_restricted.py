"""Audit events about GBV and PSEA files: only the office's GBV team reads them (issue 10, 3).

Administrators and platform operators see no trace of them — not in the list, a filter, a
count or a detail, in the page or the API — because the type, risk level, actor and time are
enough to count survivors and see who works with them.
"""

import importlib

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from amparo.cases import actions
from amparo.cases.models import GBVTeamMember
from amparo.core.models import AuditEvent
from tests import factories
from tests.cases.test_access import _incident


def _api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {factories.api_token(user)}"
    return client


@pytest.fixture
def coordinator(make_user, quito):
    """A case supervisor on the office's GBV team: the GBV coordinator."""
    user = make_user("case_supervisor", office=quito, username="coordinadora")
    GBVTeamMember.objects.create(office=quito, user=user)
    return user


@pytest.fixture
def gbv_trail(gbv_case, gbv_specialist):
    actions.add_note(actor=gbv_specialist, case=gbv_case, text="Nota confidencial.")
    incident = _incident(gbv_case, gbv_specialist)
    return gbv_case, incident


def _listed_ids(client, query=""):
    response = client.get(f"/api/v1/audit-events/{query}")
    assert response.status_code == 200
    return {e["id"] for e in response.json()["results"]}, response.json()["count"]


@pytest.mark.django_db
def test_events_about_a_gbv_file_are_marked_with_its_office(gbv_trail, case, quito):
    gbv_case, incident = gbv_trail

    about_gbv = AuditEvent.objects.filter(target_id__in=[str(gbv_case.uuid), str(incident.uuid)])
    about_ordinary = AuditEvent.objects.filter(target_id=str(case.uuid))

    assert set(about_gbv.values_list("action", flat=True)) == {
        "cases.case.opened",
        "cases.note.added",
        "cases.incident.recorded",
    }
    assert set(about_gbv.values_list("restricted_office_id", flat=True)) == {quito.pk}
    assert set(about_ordinary.values_list("restricted_office_id", flat=True)) == {None}


@pytest.mark.django_db
def test_administrator_api_shows_no_trace_of_gbv_events(client, admin_a, gbv_trail, case):
    gbv_case, incident = gbv_trail
    hidden = AuditEvent.objects.filter(restricted_office__isnull=False)
    client = _api(client, admin_a)

    listed, count = _listed_ids(client)
    opened, opened_count = _listed_ids(client, "?action=cases.case.opened")
    by_target, target_count = _listed_ids(client, f"?target_id={gbv_case.uuid}")
    details = [client.get(f"/api/v1/audit-events/{e.pk}/").status_code for e in hidden]

    assert hidden.count() == 3
    assert listed.isdisjoint(hidden.values_list("pk", flat=True))
    assert (
        count
        == AuditEvent.objects.filter(
            organization=admin_a.organization, restricted_office__isnull=True
        ).count()
    )
    assert opened_count == 1
    assert opened == set(
        AuditEvent.objects.filter(action="cases.case.opened", target_id=str(case.uuid)).values_list(
            "pk", flat=True
        )
    )
    assert (by_target, target_count) == (set(), 0)
    assert details == [404, 404, 404]


@pytest.mark.django_db
def test_platform_superuser_api_shows_no_trace_of_gbv_events(client, gbv_trail):
    root = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    client = _api(client, root)

    listed, _ = _listed_ids(client, "?action=cases")
    hidden = set(
        AuditEvent.objects.filter(restricted_office__isnull=False).values_list("pk", flat=True)
    )

    assert len(hidden) == 3
    assert listed.isdisjoint(hidden)


@pytest.mark.django_db
def test_administrator_audit_page_and_admin_show_no_trace_of_gbv_events(
    client, admin_a, gbv_trail, case
):
    gbv_case, incident = gbv_trail
    client.force_login(admin_a)

    page = client.get(reverse("audit"), {"action": "cases"}).content.decode()
    by_target = client.get(reverse("audit"), {"target": str(gbv_case.uuid)}).content.decode()
    admin_list = client.get(reverse("admin:core_auditevent_changelist")).content.decode()
    hidden = AuditEvent.objects.filter(restricted_office__isnull=False).first()
    admin_detail = client.get(reverse("admin:core_auditevent_change", args=[hidden.pk]))

    assert "cases.case.opened" in page  # the ordinary case
    assert "cases.incident.recorded" not in page
    assert "cases.note.added" not in page
    assert str(gbv_case.uuid)[:12] not in page + admin_list
    assert f"<code>{str(gbv_case.uuid)[:12]}" not in by_target
    assert "cases.case.opened" not in by_target
    assert str(case.uuid)[:12] in page
    assert admin_detail.status_code in (302, 404)
    assert "cases.incident.recorded" not in admin_list


@pytest.mark.django_db
def test_gbv_coordinator_reads_only_the_team_files_events(client, coordinator, gbv_trail, case):
    gbv_case, incident = gbv_trail
    restricted = set(
        AuditEvent.objects.filter(restricted_office__isnull=False).values_list("pk", flat=True)
    )
    client.force_login(coordinator)

    page = client.get(reverse("audit"), {"target": str(gbv_case.uuid)})
    listed, count = _listed_ids(_api(client, coordinator))

    assert page.status_code == 200
    assert "cases.case.opened" in page.content.decode()
    assert listed == restricted
    assert count == 3


@pytest.mark.django_db
def test_coordinator_of_another_office_and_gbv_specialists_do_not_read_them(
    client, make_user, office_a2, gbv_trail, gbv_specialist
):
    elsewhere = make_user("case_supervisor", office=office_a2, username="otra")
    GBVTeamMember.objects.create(office=office_a2, user=elsewhere)
    not_on_team = make_user("case_supervisor", office=gbv_trail[0].office, username="fuera")

    listed_elsewhere, _ = _listed_ids(_api(client, elsewhere))
    listed_not_on_team, _ = _listed_ids(_api(client, not_on_team))
    specialist = _api(client, gbv_specialist).get("/api/v1/audit-events/")
    client.force_login(gbv_specialist)
    specialist_page = client.get(reverse("audit"))

    assert listed_elsewhere == set()
    assert listed_not_on_team == set()
    assert (specialist.status_code, specialist_page.status_code) == (404, 404)


def test_every_model_of_a_restricted_file_names_its_gbv_office():
    # A model that hangs off a record whose events are restricted must restrict its own
    # events too, or a new table would leak GBV metadata into the audit log.
    restricting = {m for m in apps.get_models() if hasattr(m, "audit_restricted_office_id")}
    missing = [
        m._meta.label
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if f.many_to_one or f.one_to_one
        if f.concrete and f.related_model in restricting and m not in restricting
    ]

    assert {m._meta.label for m in restricting} >= {"cases.Case", "cases.CaseNote"}
    assert missing == [], missing


@pytest.mark.django_db
def test_migration_marks_events_written_before_the_mark(gbv_trail, case, quito):
    gbv_case, incident = gbv_trail
    insert = (
        "INSERT INTO core_auditevent (at, actor_username, action, target_type, target_id,"
        " fields, details) VALUES (%s, '', 'test.before_0006', %s, %s, '[]', '{}')"
    )
    with connection.cursor() as cursor:
        for label, target in (
            ("cases.case", gbv_case.uuid),
            ("cases.incident", incident.uuid),
            ("cases.case", case.uuid),
        ):
            cursor.execute(insert, [timezone.now(), label, str(target)])
    migration = importlib.import_module("amparo.core.migrations.0010_mark_restricted_audit_events")
    state = MigrationLoader(connection).project_state(("core", "0010_mark_restricted_audit_events"))

    marked = migration.mark_on(state.apps, connection)

    old = AuditEvent.objects.filter(action="test.before_0006")
    assert marked == 2
    assert sorted(old.values_list("target_id", "restricted_office_id")) == sorted(
        [(str(gbv_case.uuid), quito.pk), (str(incident.uuid), quito.pk), (str(case.uuid), None)]
    )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'changed'")  # the trigger is back
