"""The reports' home at national scale: counted off the request, kept per scope and month,
shown with the time it was counted, recounted when stale or when asked, once at a time.

`AMPARO_REPORT_LIVE_PEOPLE = 0` makes the tests' small organization count as a large one.
"""

import datetime

import pytest
from django.utils import timezone

from amparo.core.models import Role
from amparo.registry.actions import register_household
from amparo.reports import queries_dashboard
from amparo.reports.models import DashboardSnapshot
from amparo.reports.tasks import recount_dashboard
from tests.activities.helpers import record
from tests.factories import UserFactory, member
from tests.reports.test_dashboard import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def large(settings):
    settings.AMPARO_REPORT_LIVE_PEOPLE = 0
    settings.AMPARO_REPORT_FRESH_MINUTES = 15


def test_the_first_view_queues_the_count_and_the_next_shows_it_with_its_time(
    client, manager, reached, django_capture_on_commit_callbacks
):
    signed_in(client, manager)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        first = client.get("/reports/")

    assert first.status_code == 200
    assert first.context["figures"] is None and first.context["recounting"]
    assert 'http-equiv="refresh"' in first.content.decode()
    assert len(queued) == 1  # the recount, run by the tests' immediate worker

    second = client.get("/reports/")

    figures = second.context["figures"]
    assert not second.context["recounting"]
    assert figures.people_month == 5 and figures.as_of is not None
    assert 'http-equiv="refresh"' not in second.content.decode()
    live = queries_dashboard.dashboard(manager, figures.month.since)
    assert [f.value for f in figures.women] == [f.value for f in live.women]
    assert figures.by_sector == live.by_sector


def test_figures_stay_as_counted_until_stale_or_asked_again(
    client, manager, lead, registrar, office_a1, reached, django_capture_on_commit_callbacks
):
    signed_in(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/reports/")
    household = register_household(
        actor=registrar, office=office_a1,
        members=[member(documents=[], phone="", given_names="Nueva", sex="F",
                        date_of_birth="1980-02-02")],
    )  # fmt: skip
    record(lead, participants=list(household.members.all()), date=timezone.localdate())

    before = client.get("/reports/").context["figures"]
    with django_capture_on_commit_callbacks(execute=True) as queued:
        asked = client.post("/reports/")
    after = client.get("/reports/").context["figures"]

    assert before.people_month == 5  # as counted, within AMPARO_REPORT_FRESH_MINUTES
    assert asked.status_code == 302 and len(queued) == 1
    assert after.people_month == 6 and after.as_of > before.as_of


def test_a_stale_snapshot_is_shown_while_it_is_recounted_once(
    client, manager, reached, django_capture_on_commit_callbacks
):
    signed_in(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/reports/")
    snapshot = DashboardSnapshot.objects.get()
    DashboardSnapshot.objects.update(
        counted_at=snapshot.counted_at - datetime.timedelta(minutes=16)
    )

    with django_capture_on_commit_callbacks(execute=False) as queued:
        stale = client.get("/reports/")
        again = client.get("/reports/")

    assert stale.context["figures"].people_month == 5  # the old figures, meanwhile
    assert stale.context["recounting"] and again.context["recounting"]
    assert len(queued) == 1  # one recount however many readers look


def test_an_office_bound_reader_never_sees_the_organizations_snapshot(
    client, manager, org_a, office_a2, reached, django_capture_on_commit_callbacks
):
    signed_in(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/reports/")
    role = Role.objects.create(
        organization=org_a, code="office-me", name="M&E de oficina",
        permissions=["reports.view"], office_bound=True,
    )  # fmt: skip
    elsewhere = UserFactory(organization=org_a, office=office_a2, role=role, username="me.a2")

    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(client, elsewhere).get("/reports/")
    page = client.get("/reports/")

    assert page.context["figures"].people_month == 0  # their office reached nobody
    assert DashboardSnapshot.objects.count() == 2


def test_a_recount_for_a_reader_who_lost_the_permission_counts_nothing(
    client, manager, reached, lead
):
    snapshot = DashboardSnapshot.objects.create(
        scope=f"org:{lead.organization_id}", month=timezone.localdate().replace(day=1),
        requested_at=timezone.now(),
    )  # fmt: skip

    assert recount_dashboard.call(snapshot.pk, lead.pk, None) is False

    snapshot.refresh_from_db()
    assert snapshot.counts == {} and snapshot.requested_at is None


def test_asking_for_a_recount_needs_the_reports_permission(client, lead, reached):
    assert signed_in(client, lead).post("/reports/").status_code == 404
    assert not DashboardSnapshot.objects.exists()


def test_a_recount_for_a_reader_moved_to_another_office_counts_nothing(
    make_user, org_a, office_a1, office_a2, reached
):
    role = Role.objects.create(
        organization=org_a, code="office-me2", name="M&E de oficina",
        permissions=["reports.view"], office_bound=True,
    )  # fmt: skip
    reader = UserFactory(organization=org_a, office=office_a1, role=role, username="me.moved")
    snapshot = DashboardSnapshot.objects.create(
        scope=f"org:{org_a.pk}/office:{office_a1.pk}",
        month=timezone.localdate().replace(day=1), requested_at=timezone.now(),
    )  # fmt: skip
    reader.office = office_a2
    reader.save(update_fields=["office"])

    assert recount_dashboard.call(snapshot.pk, reader.pk, None) is False

    snapshot.refresh_from_db()
    assert snapshot.counts == {} and snapshot.requested_at is None
