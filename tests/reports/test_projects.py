"""A project's report for its donor: each indicator's query is data (its measure and one
choice), counted in the period and to date; small counts hidden; the workbook needs the
export permission and is audited; another organization's project is 404."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from amparo.assistance import actions
from amparo.assistance.models import Delivery
from amparo.cases.models import Case
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent, Role
from amparo.reports import queries_projects
from tests.activities.helpers import make_case
from tests.factories import UserFactory
from tests.reports.test_dashboard import signed_in

pytestmark = pytest.mark.django_db


def indicator(actor, project, measure, target, **choice):
    return actions.add_project_indicator(
        actor=actor, project=project, name=f"{measure} {choice}", measure=measure,
        target=target, **choice,
    )  # fmt: skip


@pytest.fixture
def delivered(officer, cycle, households):
    """Both households of the cycle given their 120 USD today, each collected by its head."""
    for entitlement in cycle.entitlements.all():
        head = entitlement.household.members.get(is_head=True)
        actions.deliver(actor=officer, entitlement=entitlement, collected_by=head)
    return cycle


@pytest.fixture
def indicators(manager, project):
    return [
        indicator(manager, project, "households", 10),
        indicator(manager, project, "people", 10),
        indicator(manager, project, "cash", "1000.00"),
        indicator(manager, project, "sector", 20, sector="legal"),
        indicator(manager, project, "activity", 10, activity_type="legal_counselling"),
        indicator(manager, project, "cases_closed", 4, closure_reason="goals_met"),
        indicator(manager, project, "other", 3),
    ]


@pytest.fixture
def closed_case(lead, office_a1, reached):
    case = make_case(office=office_a1, owner=lead, household=reached[0].household)
    Case.objects.filter(pk=case.pk).update(
        state="closed", closed_on=timezone.localdate(), closure_reason="goals_met"
    )
    gbv = make_case(
        office=office_a1, owner=lead, household=reached[1].household, restricted=True,
        reference="C-0002",
    )  # fmt: skip
    Case.objects.filter(pk=gbv.pk).update(
        state="closed", closed_on=timezone.localdate(), closure_reason="goals_met"
    )
    return case


def test_each_indicator_counts_what_its_measure_and_choice_say(
    manager, project, indicators, delivered, reached, closed_case
):
    today = timezone.localdate()

    report = queries_projects.project_report(
        manager, project, project.start_date, today, smallest=1
    )

    values = {row.indicator.measure: row.in_period for row in report.indicators}
    assert values == {
        "households": 2,
        "people": 2,
        "cash": Decimal("240.00"),
        "sector": 5,  # the legal session's five people, at office A1
        "activity": 5,
        "cases_closed": 1,  # the GBV team's case is left out
        "other": None,
    }
    cash = next(row for row in report.indicators if row.indicator.measure == "cash")
    assert cash.percent == 24
    assert report.by_age_and_sex["total"] == 2  # basic needs: the two delivered people


def test_the_period_counts_its_days_and_to_date_counts_from_the_start(
    manager, project, indicators, delivered
):
    today = timezone.localdate()
    Delivery.objects.filter(entitlement__household=delivered.entitlements.first().household).update(
        delivered_at=timezone.now() - datetime.timedelta(days=10)
    )

    report = queries_projects.project_report(
        manager, project, today - datetime.timedelta(days=2), today, smallest=1
    )

    households = report.indicators[0]
    assert (households.in_period, households.to_date) == (1, 2)


def test_the_page_hides_small_counts_but_not_amounts(
    client, manager, project, indicators, delivered
):
    page = signed_in(client, manager).get(f"/reports/projects/{project.uuid}/")

    assert page.status_code == 200
    rows = {row.indicator.measure: row for row in page.context["report"].indicators}
    assert rows["households"].in_period is None and rows["households"].hidden
    assert rows["cash"].in_period == Decimal("240.00") and not rows["cash"].hidden
    assert page.context["report"].by_age_and_sex["total"] is None
    html = page.content.decode()
    assert "&lt;5" in html and "@page" not in html  # the A4 rules are in report.css
    assert "reports/report" in html


def test_the_workbook_needs_the_export_permission_and_is_audited(
    client, manager, analyst, org_a, project, indicators, delivered
):
    role = Role.objects.create(
        organization=org_a, code="reader", name="Lectura",
        permissions=["reports.view"], office_bound=False,
    )  # fmt: skip
    reader = UserFactory(organization=org_a, role=role, username="lectura.a")
    link = f"/reports/projects/{project.uuid}/?output=xlsx"

    refused = signed_in(client, reader).get(link)
    client.logout()
    answer = signed_in(client, analyst).get(link)

    assert refused.status_code == 404
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    cash = next(row for row in rows if row and row[0] == "cash {}")
    assert cash[2:5] == [1000, 240, 240]
    households = next(row for row in rows if row and row[0] == "households {}")
    assert households[3:5] == ["<5", "<5"]
    event = AuditEvent.objects.get(action="reports.project_report.exported")
    assert event.details["rows"] == 7 and event.details["disclosure_control"] is True


def test_another_organizations_project_and_readers_without_reports_get_404(
    client, lead, org_b, project
):
    role = Role.objects.create(
        organization=org_b, code="me-b", name="MyE",
        permissions=["reports.view", "reports.export"], office_bound=False,
    )  # fmt: skip
    outsider = UserFactory(organization=org_b, role=role, username="mye.b")

    assert signed_in(client, outsider).get(f"/reports/projects/{project.uuid}/").status_code == 404
    assert project.code not in client.get("/reports/projects/").content.decode()
    client.logout()
    assert signed_in(client, lead).get("/reports/projects/").status_code == 404


@pytest.mark.parametrize(
    "query", [{"since": "2026-05-01", "until": "2026-04-01"}, {"since": "ayer"}]
)
def test_a_bad_period_answers_400_and_counts_nothing(client, manager, project, query):
    page = signed_in(client, manager).get(f"/reports/projects/{project.uuid}/", query)

    assert page.status_code == 400
    assert page.context["form"].errors and "report" not in page.context


@pytest.mark.parametrize(
    ("measure", "field"),
    [("sector", "sector"), ("activity", "activity_type"), ("cases_closed", "closure_reason")],
)
def test_an_indicator_counted_by_the_reports_needs_its_choice(manager, project, measure, field):
    with pytest.raises(ActionError) as refused:
        indicator(manager, project, measure, 10)
    with pytest.raises(ActionError):
        indicator(manager, project, measure, 10, **{field: "nonsense"})

    assert field in refused.value.errors
    assert not project.indicators.exists()


def test_the_choice_of_another_measure_is_not_kept(manager, project):
    kept = indicator(manager, project, "households", 10, sector="legal")

    assert kept.sector == ""
