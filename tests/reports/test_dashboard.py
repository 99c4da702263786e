"""The reports' home: exact figures for a reader inside the organization, each linking to the
people behind it for a reader who may see people; scope and permissions as everywhere."""

import datetime

import pytest
from django.utils import timezone

from amparo.assistance import actions as assistance
from amparo.core.models import AuditEvent, Role
from tests.activities.helpers import make_case, record
from tests.factories import OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_dashboard_shows_the_figures_without_links_to_people_for_m_and_e(
    client, manager, reached
):
    page = signed_in(client, manager).get("/reports/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="table-sector"' in html and 'id="table-pyramid"' in html
    figures = page.context["figures"]
    for table in ("nationality", "population-group", "disability"):
        assert f'id="table-{table}"' in html
    assert sum(f.value for f in figures.by_disability) == 5  # each person once, yes or no
    groups = {f.filters["population_group"]: f.label for f in figures.by_population_group}
    assert all(label != code for code, label in groups.items() if code)  # words, not codes
    assert "<svg" in html
    assert page.context["figures"].people_month == 5
    assert "/reports/people/" not in html  # an M&E officer does not open people's records
    assert len(page.content) < 40_000


def test_a_figure_links_to_the_people_behind_it_and_the_list_is_audited(client, analyst, reached):
    page = signed_in(client, analyst).get("/reports/")
    women = next(f for f in page.context["figures"].women if f.value)

    listed = client.get(women.url)

    assert listed.status_code == 200
    names = {p.given_names for p in listed.context["page"]}
    assert names == {"Persona 0", "Persona 1", "Persona 2", "Persona 3"}
    event = AuditEvent.objects.get(action="reports.people_behind.viewed")
    assert event.details["filters"]["sex"] == "F"


def test_the_list_behind_a_figure_shows_only_people_the_reader_may_see(
    client, org_a, office_a2, reached
):
    role = Role.objects.create(
        organization=org_a, code="office-analyst", name="Análisis de oficina",
        permissions=["reports.view", "registry.view"], office_bound=True,
    )  # fmt: skip
    elsewhere = UserFactory(organization=org_a, office=office_a2, role=role, username="an.a2")
    today = timezone.localdate()

    listed = signed_in(client, elsewhere).get(
        "/reports/people/", {"from": today.replace(day=1), "to": today}
    )

    assert listed.status_code == 200
    assert listed.context["counted"] == 0  # their office reached nobody
    assert list(listed.context["page"]) == []


def test_without_the_permission_the_reports_answer_404(client, lead, manager, reached):
    assert signed_in(client, lead).get("/reports/").status_code == 404
    client.logout()
    today = timezone.localdate()
    answer = signed_in(client, manager).get("/reports/people/", {"from": today, "to": today})
    assert answer.status_code == 404  # no registry.view


@pytest.mark.parametrize("month", ["2026-13", "marzo", "1999-01"])
def test_a_bad_month_answers_400_with_the_form(client, manager, month):
    page = signed_in(client, manager).get("/reports/", {"month": month})

    assert page.status_code == 400
    assert page.context["form"].errors["month"]


def test_an_earlier_month_counts_that_month_and_its_year_to_date(client, manager, lead, reached):
    january = datetime.date(timezone.localdate().year, 1, 15)
    record(lead, participants=reached[:1], date=january)

    page = signed_in(client, manager).get("/reports/", {"month": f"{january:%Y-%m}"})

    figures = page.context["figures"]
    assert (figures.people_month, figures.people_year) == (1, 1)


@pytest.fixture
def exporter(org_a):
    role = Role.objects.create(
        organization=org_a, code="exporter", name="Listas",
        permissions=["reports.view", "registry.view", "registry.export"], office_bound=False,
    )  # fmt: skip
    return UserFactory(organization=org_a, role=role, username="listas.a")


def list_link(client, user):
    page = signed_in(client, user).get("/reports/")
    return next(f for f in page.context["figures"].women if f.value).url


def test_a_list_leaves_with_its_purpose_and_only_the_fields_chosen(client, exporter, reached):
    link = list_link(client, exporter)

    answer = client.post(
        link, {"purpose": "Llamadas de seguimiento del taller", "columns": ["name", "phone"]}
    )

    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    text = b"".join(answer.streaming_content).decode()
    lines = text.splitlines()
    assert len(lines) == 1 + 4  # the header and the four women
    assert all(line.count(",") == 1 for line in lines)  # two columns: no birth date, no sex
    event = AuditEvent.objects.get(action="reports.people_behind.exported")
    assert event.details["purpose"] == "Llamadas de seguimiento del taller"
    assert (event.details["fields"], event.details["rows"]) == (["name", "phone"], 4)


@pytest.mark.parametrize(
    "data", [{"purpose": "", "columns": ["name"]}, {"purpose": "Para el informe", "columns": []},
             {"purpose": "corto", "columns": ["name"]}, {"purpose": "Para el informe mensual",
                                                         "columns": ["documents"]}],
)  # fmt: skip
def test_an_export_without_purpose_or_fields_is_refused(client, exporter, reached, data):
    link = list_link(client, exporter)

    answer = client.post(link, data)

    assert answer.status_code == 400
    assert answer.context["form"].errors
    assert not AuditEvent.objects.filter(action="reports.people_behind.exported").exists()


def test_without_the_export_permission_there_is_no_form_and_a_post_is_404(client, analyst, reached):
    link = list_link(client, analyst)

    assert client.get(link).context["form"] is None
    answer = client.post(link, {"purpose": "Llamadas de seguimiento", "columns": ["name"]})
    assert answer.status_code == 404


def test_work_in_hand_is_counted_without_gbv_team_cases(
    client, manager, lead, officer, office_a1, cycle, reached
):
    household = reached[0].household
    make_case(office=office_a1, owner=lead, household=household, reference="C-1")
    make_case(office=office_a1, owner=lead, household=household, reference="C-2", restricted=True)
    assistance.deliver(
        actor=officer, entitlement=cycle.entitlements.order_by("pk").first(), collected_by="Ana"
    )

    page = signed_in(client, manager).get("/reports/")

    work = page.context["work"]
    assert [(label, total) for label, _risks, total in work.cases] == [("Legal", 1)]
    assert (work.delivered, work.entitled) == (1, cycle.entitlements.count())
    assert 'id="table-cases"' in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"from": "ayer", "to": "2026-03-31"}, {"to": "2026-03-31"},
     {"from": "2026-03-31", "to": "2026-03-01"}],
)  # fmt: skip
def test_a_malformed_list_link_answers_400(client, analyst, query):
    assert signed_in(client, analyst).get("/reports/people/", query).status_code == 400
    assert not AuditEvent.objects.filter(action="reports.people_behind.viewed").exists()


def test_an_office_of_another_organization_answers_404(client, analyst, org_b):
    theirs = OfficeFactory(organization=org_b)
    query = {"from": "2026-03-01", "to": "2026-03-31", "office": str(theirs.uuid)}

    assert signed_in(client, analyst).get("/reports/people/", query).status_code == 404
