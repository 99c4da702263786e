"""Monthly GBVIMS tables: prepared by the GBV team, approved by another GBV coordinator, and
only then seen off the team (Information Sharing Protocol)."""

import io

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from amparo.cases import actions, statistics
from amparo.cases.models import GBVTeamMember, MonthlyRelease
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from tests.case_fixtures import SURVIVOR
from tests.cases.test_incidents import _record


def _prepare(user, office, month="2026-02") -> MonthlyRelease:
    return actions.prepare_monthly_release(actor=user, office=office, month=month)


@pytest.fixture
def ten_incidents(gbv_case, walk_in_case, gbv_specialist):
    for _ in range(5):
        _record(gbv_case, gbv_specialist)
    for _ in range(5):
        _record(walk_in_case, gbv_specialist, type="rape")
    _record(gbv_case, gbv_specialist, statistics_consent=False)


@pytest.mark.django_db
def test_the_monthly_tables_count_as_the_isp_asks_and_hide_small_cells(ten_incidents, quito):
    tables = statistics.monthly_tables([quito.pk], *actions.month_bounds("2026-02"))

    assert set(tables) == set(statistics.MONTHLY_TABLES)
    by_type = tables["by_type"]
    assert by_type["rows"]["rape"]["cells"] == {"count": 5}
    assert by_type["rows"]["physical_assault"]["cells"] == {"count": 5}
    assert by_type["total"] == 10  # not the one she did not agree to
    assert tables["by_type_and_sex"]["rows"]["rape"]["cells"] == {"F": 5, "M": 0, "X": 0}
    assert tables["by_type_and_age"]["rows"]["rape"]["cells"]["26-40"] == 5
    survivors = tables["survivors_by_age"]  # two survivors, each once: hidden
    assert survivors["total"] is None and survivors["rows"]["26-40"]["cells"] == {"count": None}
    assert tables["by_place_and_time"]["rows"]["survivor_home"]["cells"]["night"] == 10
    assert (
        statistics.monthly_tables([quito.pk], *actions.month_bounds("2026-03"))["by_type"]["total"]
        == 0
    )


@pytest.mark.django_db
def test_tables_are_approved_by_a_coordinator_who_did_not_prepare_them(
    ten_incidents,
    gbv_specialist,
    coordinator,
    quito,
):
    release = _prepare(gbv_specialist, quito)

    with pytest.raises(Http404):  # a specialist prepares; she does not approve
        actions.approve_monthly_release(actor=gbv_specialist, release=release)
    own = _prepare(coordinator, quito, "2026-01")
    with pytest.raises(ActionError):
        actions.approve_monthly_release(actor=coordinator, release=own)
    with pytest.raises(ActionError):  # the month is taken until withdrawn
        _prepare(coordinator, quito)
    actions.approve_monthly_release(actor=coordinator, release=release)

    release.refresh_from_db()
    assert release.state == "approved" and release.approved_by == coordinator
    assert release.tables["by_type"]["total"] == 10
    events = AuditEvent.objects.filter(target_id=str(release.uuid)).order_by("id")
    assert [(e.action, e.restricted_office_id) for e in events] == [
        ("cases.monthly_release.prepared", quito.pk),
        ("cases.monthly_release.approved", None),
    ]


@pytest.mark.django_db
def test_a_month_is_prepared_once_it_has_ended(gbv_specialist, quito):
    with pytest.raises(ActionError) as exc:
        _prepare(gbv_specialist, quito, "2999-01")

    assert list(exc.value.errors) == ["month"]


@pytest.mark.django_db
def test_nobody_off_the_gbv_team_sees_tables_before_approval(
    client,
    ten_incidents,
    gbv_specialist,
    coordinator,
    supervisor,
    admin_a,
    admin_b,
    make_user,
    quito,
):
    me_officer = make_user("me_officer", office=quito, username="mye")
    release = _prepare(gbv_specialist, quito)
    url = reverse("cases:release", args=[release.uuid])

    for user in (admin_a, me_officer, supervisor, admin_b):
        client.force_login(user)
        assert client.get(url).status_code == 404, user.username
        assert str(release.uuid) not in client.get(reverse("cases:releases")).content.decode()
    client.force_login(coordinator)
    assert (
        client.post(reverse("cases:release-decision", args=[release.uuid, "approve"])).status_code
        == 302
    )

    for user in (me_officer, supervisor):  # who sees reports, off the GBV team
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "no la prevalencia de la violencia basada en género" in page, user.username
        assert "Aprobar" not in page
        assert (
            client.post(
                reverse("cases:release-decision", args=[release.uuid, "withdraw"])
            ).status_code
            == 404
        )
    for user in (admin_a, admin_b):  # administrators manage; they have no reports to read
        client.force_login(user)
        assert client.get(url).status_code == 404
    release.refresh_from_db()
    assert release.state == "approved"


@pytest.mark.django_db
def test_the_released_tables_download_with_the_caveat(
    client,
    ten_incidents,
    gbv_specialist,
    coordinator,
    supervisor,
    quito,
):
    release = _prepare(gbv_specialist, quito)
    actions.approve_monthly_release(actor=coordinator, release=release)
    client.force_login(supervisor)

    response = client.get(reverse("cases:release", args=[release.uuid]), {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "no la prevalencia" in values[1]
    assert "<5" in [v for row in sheet.iter_rows(values_only=True) for v in row]


@pytest.mark.django_db
def test_the_gbv_team_prepares_on_the_page_and_a_withdrawn_month_can_be_prepared_again(
    client,
    ten_incidents,
    gbv_specialist,
    coordinator,
    quito,
):
    client.force_login(gbv_specialist)

    response = client.post(
        reverse("cases:releases"), {"month": "2026-02", "scope": str(quito.uuid)}
    )

    release = MonthlyRelease.objects.get()
    assert response.status_code == 302 and release.state == "prepared"
    actions.withdraw_monthly_release(actor=coordinator, release=release)
    assert _prepare(gbv_specialist, quito).state == "prepared"


@pytest.mark.django_db
def test_the_organizations_tables_need_the_gbv_team_of_every_gbv_office(
    ten_incidents, gbv_specialist, coordinator, make_user, office_a2
):
    release = _prepare(gbv_specialist, None)

    assert release.office is None and release.tables["by_type"]["total"] == 10
    elsewhere = make_user("gbv_specialist", office=office_a2, username="vbg-a2")
    GBVTeamMember.objects.create(office=office_a2, user=elsewhere)
    with pytest.raises(Http404):  # she is on Quito's team only, and a2 now has one too
        _prepare(gbv_specialist, None, "2026-01")
    with pytest.raises(Http404):
        actions.approve_monthly_release(actor=coordinator, release=release)


@pytest.mark.django_db
def test_the_monthly_tables_read_walk_in_survivors_in_the_same_queries_however_many(
    gbv_case, walk_in_case, gbv_specialist, quito, django_assert_max_num_queries
):
    _record(gbv_case, gbv_specialist)
    _record(walk_in_case, gbv_specialist)
    month = actions.month_bounds("2026-02")
    with CaptureQueriesContext(connection) as one:
        statistics.monthly_tables([quito.pk], *month)
    for _ in range(3):  # five survivors in all: a count shown, not hidden as a small cell
        case = actions.open_walk_in_case(
            actor=gbv_specialist, identity=SURVIVOR, risk_level="high", summary="Llegó sola."
        )
        _record(case, gbv_specialist)

    with django_assert_max_num_queries(len(one)):
        tables = statistics.monthly_tables([quito.pk], *month)

    assert len(one) <= 4  # incidents with their cases, individuals, decisions
    assert tables["by_type_and_sex"]["totals"]["F"] == 5
