"""People reached: each person once however many services, households, people who are not
registered apart, the period's edges in the office's own time zone, disaggregation, scope."""

import datetime
import zoneinfo

import pytest
from django.test import override_settings

from amparo.activities.models import Attendance
from amparo.assistance import actions
from amparo.assistance.models import Delivery
from amparo.core.errors import ActionError
from amparo.core.models import Area, Role
from amparo.registry.actions import register_household
from amparo.reports import queries, queries_dashboard
from amparo.reports.queries import Period
from tests.activities.helpers import record
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


@pytest.fixture
def family(registrar, office_a1):
    """A mother of 36 and her children of 10 and 3 (ages on 31 March 2026)."""
    return register_household(
        actor=registrar,
        office=office_a1,
        members=[
            member(documents=[], phone="", given_names="Luisa", date_of_birth="1990-02-10"),
            member(documents=[], phone="", given_names="Tomás", relationship="child",
                   sex="M", date_of_birth="2015-06-01"),
            member(documents=[], phone="", given_names="Inés", relationship="child",
                   date_of_birth="2023-03-31"),
        ],
    )  # fmt: skip


@pytest.fixture
def lead(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="lead.a1")


def session(actor, day, people, **extra):
    return record(actor, participants=list(people), date=day, **extra)


def test_a_person_with_three_services_counts_once(lead, manager, family):
    luisa = family.members.get(given_names="Luisa")
    for day in (3, 10, 17):
        session(lead, datetime.date(2026, 3, day), [luisa])

    reached = queries.people_reached(manager, MARCH)

    assert (reached.people, reached.households) == (1, 1)


def test_a_delivery_reaches_the_household_and_people_count_once_across_sources(
    lead, manager, officer, family, cycle
):
    luisa = family.members.get(given_names="Luisa")
    session(lead, datetime.date(2026, 3, 5), [luisa])
    other = cycle.entitlements.exclude(household=family).first().household
    neighbour = other.members.get()
    session(lead, datetime.date(2026, 3, 6), [neighbour])
    delivery, _ = actions.deliver(
        actor=officer, entitlement=cycle.entitlements.get(household=family), collected_by=luisa
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        delivered_at=datetime.datetime(2026, 3, 20, 15, tzinfo=datetime.UTC)
    )

    reached = queries.people_reached(manager, MARCH)

    assert (reached.people, reached.households) == (4, 2)  # Luisa once, her children, neighbour


def test_people_who_are_not_registered_are_counted_apart(lead, manager, family):
    activity = session(
        lead, datetime.date(2026, 3, 8), [family.members.get(given_names="Luisa")],
        type="support_group", sector="protection",
    )  # fmt: skip
    Attendance.objects.create(activity=activity, sex="F", age_band="18-59", count=7)
    Attendance.objects.create(activity=activity, sex="M", age_band="6-11", count=2)

    reached = queries.people_reached(manager, MARCH)

    assert reached.people == 1
    assert reached.counted == {("F", "18-59"): 7, ("M", "6-11"): 2}


def test_the_period_includes_its_first_and_last_days_only(lead, manager, family):
    luisa, tomas, ines = (family.members.get(given_names=n) for n in ("Luisa", "Tomás", "Inés"))
    session(lead, datetime.date(2026, 2, 28), [luisa])
    session(lead, datetime.date(2026, 3, 1), [tomas])
    session(lead, datetime.date(2026, 3, 31), [ines])
    session(lead, datetime.date(2026, 4, 1), [luisa])

    assert queries.people_reached(manager, MARCH).people == 2


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("America/Guayaquil", "EC"),
        ("America/Panama", "PA"),
        ("America/Caracas", "VE"),
        ("America/Argentina/Buenos_Aires", "AR"),
    ],
)
@override_settings(TIME_ZONE="UTC")
def test_a_delivery_late_on_the_last_day_counts_in_the_office_s_month(
    zone, country, manager, officer, family, cycle, office_a1
):
    office_a1.area, _ = Area.objects.get_or_create(
        code=country, defaults={"name": country, "level": 0, "country_code": country}
    )
    office_a1.save()
    delivery, _done = actions.deliver(
        actor=officer, entitlement=cycle.entitlements.get(household=family), collected_by="Ana"
    )
    local = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=zoneinfo.ZoneInfo(zone))
    Delivery.objects.filter(pk=delivery.pk).update(delivered_at=local)  # 1 April in UTC
    april = Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))

    march = queries.people_reached(manager, MARCH, ("month",))

    assert march.people == 3
    assert [row["month"] for row in march.rows] == ["2026-03"]
    assert queries.people_reached(manager, april).people == 0


def test_people_are_counted_by_sex_and_age_band_on_the_last_day(lead, manager, family):
    session(lead, datetime.date(2026, 3, 9), family.members.all())

    reached = queries.people_reached(manager, MARCH, ("sex", "age_band"))

    found = {(row["sex"], row["age_band"]): row["people"] for row in reached.rows}
    # Inés turns 3 on 31 March; Tomás is 10; Luisa 36.
    assert found == {("F", "0-4"): 1, ("M", "5-11"): 1, ("F", "18-59"): 1}
    assert sum(found.values()) == reached.people == 3


def test_service_dimensions_count_a_person_once_per_sector(lead, manager, family):
    luisa = family.members.get(given_names="Luisa")
    session(lead, datetime.date(2026, 3, 2), [luisa], sector="legal")
    session(lead, datetime.date(2026, 3, 3), [luisa], sector="legal")
    session(lead, datetime.date(2026, 3, 4), [luisa], type="pfa", sector="mhpss")

    reached = queries.people_reached(manager, MARCH, ("sector",))

    assert {row["sector"]: row["people"] for row in reached.rows} == {"legal": 1, "mhpss": 1}
    assert reached.people == 1


def test_an_office_bound_reader_counts_only_their_office(lead, org_a, office_a2, family):
    session(lead, datetime.date(2026, 3, 9), family.members.all())
    role = Role.objects.create(
        organization=org_a, code="me-office", name="M&E de oficina",
        permissions=["reports.view"], office_bound=True,
    )  # fmt: skip
    elsewhere = UserFactory(organization=org_a, office=office_a2, role=role, username="mye.a2")

    assert queries.people_reached(elsewhere, MARCH).people == 0
    assert queries.people_reached(lead, MARCH).people == 3


def test_another_organization_counts_nothing_of_ours(lead, make_user, org_b, family):
    session(lead, datetime.date(2026, 3, 9), family.members.all())
    theirs = make_user("me_officer", organization=org_b, username="mye.b")

    assert queries.people_reached(theirs, MARCH).people == 0


@pytest.mark.parametrize("bands", ["0-4,6-11,12+", "5-11,12+", "0-4,5-11", "0-4,a-b,12+", ""])
def test_age_bands_that_leave_gaps_or_no_open_end_are_refused(bands):
    with pytest.raises(ActionError):
        queries.age_bands(bands)


def test_unknown_dimensions_and_reversed_periods_are_refused(manager):
    with pytest.raises(ActionError) as refused:
        queries.people_reached(manager, MARCH, ("sex", "religion"))
    assert "by" in refused.value.errors
    with pytest.raises(ActionError):
        Period.checked(datetime.date(2026, 3, 31), datetime.date(2026, 3, 1))


def _as_people_reached_counts(user, month, office_id):
    """The home's figures counted the general way, a figure at a time from the services."""
    this_month, this_year = queries_dashboard.periods(month, office_id)
    in_month = queries.people_reached(user, this_month)
    in_year = queries.people_reached(user, this_year)
    by = {}
    for dimension in ("sector", "month", *queries_dashboard.PERSON_FIGURES):
        rows = queries.people_reached(user, this_year, (dimension,)).rows
        by[dimension] = sorted(([r[dimension], r["people"]] for r in rows), key=str)
    pyramid = queries.people_reached(user, this_year, ("sex", "age_band")).rows
    return {
        "people": (in_month.people, in_month.households, in_year.people, in_year.households),
        "by": by,
        "pyramid": sorted([r["sex"], r["age_band"], r["people"]] for r in pyramid),
    }


def test_the_home_counts_what_people_reached_counts(
    lead, manager, officer, family, cycle, make_user, office_a2
):
    """The home counts from its table of people once each (`reached_people`); every figure
    must be the one `people_reached` gives, over services and deliveries, months, sectors,
    offices and every dimension of the person."""
    luisa, ines = (family.members.get(given_names=n) for n in ("Luisa", "Inés"))
    other = cycle.entitlements.exclude(household=family).first().household
    neighbour = other.members.get()
    session(lead, datetime.date(2026, 1, 20), [ines])
    session(lead, datetime.date(2026, 2, 3), [luisa, neighbour], sector="education")
    session(lead, datetime.date(2026, 3, 5), [luisa], sector="mhpss")
    elsewhere = make_user("caseworker", office=office_a2, username="lead.a2")
    there = register_household(
        actor=make_user("registration_officer", office=office_a2, username="reg.a2"),
        office=office_a2,
        members=[member(documents=[], phone="", given_names="Ana", date_of_birth="1950-05-05",
                        nationality="CO", population_group="host_community"),
                 member(documents=[], phone="", given_names="Leo", sex="M", relationship="child",
                        date_of_birth="2012-05-05", nationality="CO")],
    )  # fmt: skip
    session(elsewhere, datetime.date(2026, 3, 9), there.members.all(), sector="gbv")
    session(elsewhere, datetime.date(2026, 1, 9), there.members.filter(sex="M"))
    delivery, _ = actions.deliver(
        actor=officer, entitlement=cycle.entitlements.get(household=family), collected_by=luisa
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        delivered_at=datetime.datetime(2026, 3, 20, 15, tzinfo=datetime.UTC)
    )
    month = datetime.date(2026, 3, 1)

    for office_id in (None, office_a2.pk):
        counts = queries_dashboard.count(manager, month, office_id)
        mine = {
            "people": (
                counts["people_month"], counts["households_month"],
                counts["people_year"], counts["households_year"],
            ),
            "by": {d: sorted(rows, key=str) for d, rows in counts["by"].items()},
            "pyramid": sorted(counts["pyramid"]),
        }  # fmt: skip
        assert mine == _as_people_reached_counts(manager, month, office_id)
    assert counts["people_year"] == 2  # office A2: Ana and Leo
    everywhere = queries_dashboard.count(manager, month)
    assert len(everywhere["by"]["sector"]) >= 4 and len(everywhere["by"]["month"]) == 3


def test_a_table_leaving_counts_a_person_once_per_group_whatever_her_sectors(lead, manager, family):
    """Outside, a GBV service has no office nor admin 2: with her other services, a person
    falls in a group more than once, and must still count once in it."""
    luisa = family.members.get(given_names="Luisa")
    for day, sector in ((3, "legal"), (4, "education"), (5, "gbv")):
        session(lead, datetime.date(2026, 3, day), [luisa], sector=sector)

    by_admin2 = queries.people_reached(manager, MARCH, ("admin2",), outside=True)
    by_office = queries.people_reached(manager, MARCH, ("office",), outside=True)
    by_sector = queries.people_reached(manager, MARCH, ("office", "sector"), outside=True)

    assert [row["people"] for row in by_admin2.rows] == [1]  # her household has no area
    assert sorted(row["people"] for row in by_office.rows) == [1, 1]  # A1, and none (GBV)
    assert sorted(row["people"] for row in by_sector.rows) == [1, 1, 1]


@pytest.mark.parametrize("by", [("sector", "sex"), ("month", "age_band"), ("office", "admin1")])
def test_the_list_behind_each_figure_holds_as_many_people_as_it_counts(
    lead, manager, family, make_user, office_a2, by
):
    """`people_behind` narrows the services by their dimensions and the people by theirs:
    for every figure of a table mixing both, its list is as long as the figure."""
    luisa, ines = (family.members.get(given_names=n) for n in ("Luisa", "Inés"))
    session(lead, datetime.date(2026, 1, 20), [ines, luisa])
    session(lead, datetime.date(2026, 2, 3), [luisa], sector="education")
    session(lead, datetime.date(2026, 2, 5), [ines], sector="education")
    elsewhere = make_user("caseworker", office=office_a2, username="lead.a2")
    there = register_household(
        actor=make_user("registration_officer", office=office_a2, username="reg.a2"),
        office=office_a2,
        members=[member(documents=[], phone="", given_names="Ana", date_of_birth="1950-05-05"),
                 member(documents=[], phone="", given_names="Leo", sex="M", relationship="child",
                        date_of_birth="2012-05-05")],
    )  # fmt: skip
    session(elsewhere, datetime.date(2026, 2, 9), there.members.all(), sector="mhpss")
    session(elsewhere, datetime.date(2026, 3, 9), there.members.filter(sex="M"))
    year = queries.Period(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))

    rows = queries.people_reached(manager, year, by).rows

    assert len(rows) >= 2  # the office's figures: admin 1 not recorded (None)
    for row in rows:
        filters = {dimension: row[dimension] for dimension in by}
        behind = queries.people_behind(manager, year, filters)
        assert len(behind) == len(set(behind)) == row["people"], filters
