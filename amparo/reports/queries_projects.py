"""A project's report for its donor: each indicator against its target, in a period and to
date, and the people reached by sex and age.

An indicator's query is data: its measure and the one choice that measure needs
(`assistance.models.MEASURE_NEEDS`). What each measure counts:

- households, people: reached by the project's own deliveries (not reversed), each once;
  people are the delivered households' members;
- kits, cash: the amounts of the project's delivered entitlements (cash in the project's
  currency);
- people reached in a sector: by any service or delivery of that sector at the project's
  offices (services belong to no project: what the project's offices did is what it did);
- participants in a service or activity: its registered participants at the project's
  offices, each once, plus its participants counted but not registered;
- cases closed with an outcome: the project's offices' cases closed in the period with it
  (those of a GBV team are left out: their figures are on the GBV statistics page).

The report leaves the organization (a donor reads it): counts of people, households and cases
under `smallest` are hidden, and the table by sex and age is protected (`core.disclosure`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from amparo.assistance.models import (
    CASH_TYPES,
    IndicatorMeasure,
    Project,
    ProjectIndicator,
)
from amparo.cases.models import Case, CaseState
from amparo.core import access, disclosure
from amparo.core.models import User
from amparo.reports.queries import Period, age_bands, deliveries_in, people_reached, reached_by

# Counts of people (or households, or cases): small ones are hidden in the report.
PEOPLE_MEASURES = frozenset(
    {
        IndicatorMeasure.HOUSEHOLDS,
        IndicatorMeasure.PEOPLE,
        IndicatorMeasure.SECTOR,
        IndicatorMeasure.ACTIVITY,
        IndicatorMeasure.CASES_CLOSED,
    }
)
SEXES = ("F", "M", "X")


@dataclass
class IndicatorProgress:
    indicator: ProjectIndicator
    definition: str  # what is counted, in words
    in_period: Decimal | int | None  # None: not computed (measure "other") or hidden
    to_date: Decimal | int | None
    percent: int | None  # of the target, to date
    hidden: bool = False  # a small count hidden (shown "<5")


@dataclass
class ProjectReport:
    project: Project
    since: datetime.date
    until: datetime.date
    indicators: list[IndicatorProgress]
    bands: list[str]
    by_age_and_sex: dict  # `disclosure.suppress` of people reached by age band × sex
    smallest: int


def reportable_projects(user: User):
    """The projects whose report `user` may read: their organization's (reports.view)."""
    if not access.can(user, "reports.view"):
        return Project.objects.none()
    return access.visible(user, Project.objects.all(), office_field=None).order_by(
        "-start_date", "code"
    )


def get_project_for(user: User, project_id) -> Project:
    """One project `user` may report on; 404 otherwise (another organization's too)."""
    return access.get_visible(
        reportable_projects(user).prefetch_related("offices"), uuid=project_id
    )


def _offices(project: Project) -> tuple[int, ...]:
    return tuple(office.pk for office in project.offices.all())


def _amount(user: User, period: Period, *, cash: bool, currency: str) -> Decimal:
    total = Decimal(0)
    for _zone, deliveries in deliveries_in(user, period):
        if cash:
            chosen = deliveries.filter(entitlement__cycle__assistance_type__in=CASH_TYPES)
            chosen = chosen.filter(entitlement__cycle__currency__in=[currency, ""])
        else:
            chosen = deliveries.exclude(entitlement__cycle__assistance_type__in=CASH_TYPES)
        total += chosen.aggregate(n=Sum("entitlement__amount"))["n"] or Decimal(0)
    return total


def _households(user: User, period: Period) -> int:
    households: set[int] = set()
    for _zone, deliveries in deliveries_in(user, period):
        households.update(deliveries.values_list("entitlement__household_id", flat=True))
    return len(households)


def _value(user: User, indicator: ProjectIndicator, period: Period) -> Decimal | int | None:
    """What `indicator` counts in `period` (its offices and project already set)."""
    measure, project = indicator.measure, indicator.project
    since, until, offices = period.since, period.until, period.offices
    own = Period(since, until, project_id=project.pk)
    if measure == IndicatorMeasure.HOUSEHOLDS:
        return _households(user, own)
    if measure == IndicatorMeasure.PEOPLE:
        return people_reached(user, own).people
    if measure in (IndicatorMeasure.KITS, IndicatorMeasure.CASH):
        return _amount(user, own, cash=measure == IndicatorMeasure.CASH, currency=project.currency)
    if measure == IndicatorMeasure.SECTOR:
        return people_reached(
            user,
            Period(period.since, period.until, offices=period.offices, sector=indicator.sector),
        ).people
    if measure == IndicatorMeasure.ACTIVITY:
        reached = people_reached(
            user,
            Period(
                period.since, period.until, offices=period.offices, kind=indicator.activity_type
            ),
        )
        return reached.people + sum(reached.counted.values())
    if measure == IndicatorMeasure.CASES_CLOSED:
        cases = access.visible(user, Case.objects.filter(restricted=False))
        return cases.filter(
            state=CaseState.CLOSED,
            office_id__in=offices or (),
            closed_on__gte=since,
            closed_on__lte=until,
            closure_reason=indicator.closure_reason,
        ).count()
    return None  # "other": counted outside Amparo


def definition(indicator: ProjectIndicator) -> str:
    """What an indicator counts, in the reader's words."""
    measure = indicator.measure
    if measure == IndicatorMeasure.SECTOR:
        return _("People reached in %(sector)s at the project's offices") % {
            "sector": indicator.get_sector_display()
        }
    if measure == IndicatorMeasure.ACTIVITY:
        return _("Participants in “%(activity)s” at the project's offices") % {
            "activity": indicator.get_activity_type_display()
        }
    if measure == IndicatorMeasure.CASES_CLOSED:
        return _("Cases closed at the project's offices: %(outcome)s") % {
            "outcome": indicator.get_closure_reason_display()
        }
    if measure == IndicatorMeasure.OTHER:
        return _("Not counted by Amparo")
    return _("%(measure)s by the project's deliveries") % {
        "measure": indicator.get_measure_display()
    }


def project_report(
    user: User, project: Project, since: datetime.date, until: datetime.date, *, smallest: int
) -> ProjectReport:
    """`project`'s indicators in `since`–`until` and from its start to `until`, with people
    reached in its sector at its offices by age and sex, protected for leaving the
    organization."""
    offices = _offices(project)
    period = Period(since, until, offices=offices)
    to_date = Period(min(project.start_date, since), until, offices=offices)
    rows = []
    for indicator in project.indicators.order_by("created_at", "pk"):
        in_period = _value(user, indicator, period)
        # From the project's start (the page's first view): the same count, not counted twice.
        so_far = in_period if to_date == period else _value(user, indicator, to_date)
        percent = None
        if so_far is not None:
            percent = int(Decimal(so_far) * 100 / indicator.target)
        small = indicator.measure in PEOPLE_MEASURES and smallest > 1

        def shown(value, small=small):
            return None if small and value is not None and 0 < value < smallest else value

        rows.append(
            IndicatorProgress(
                indicator=indicator,
                definition=definition(indicator),
                in_period=shown(in_period),
                to_date=shown(so_far),
                percent=None if shown(so_far) is None else percent,
                hidden=shown(in_period) != in_period or shown(so_far) != so_far,
            )
        )
    bands = [band.code for band in age_bands()]
    reached = reached_by(
        user, Period(since, until, offices=offices, sector=project.sector), ("age_band", "sex")
    )
    counts: dict[str, dict[str, int]] = {band: {} for band in bands}
    for row in reached:
        counts[row["age_band"]][row["sex"] or "X"] = row["people"]
    return ProjectReport(
        project=project,
        since=since,
        until=until,
        indicators=rows,
        bands=bands,
        by_age_and_sex=disclosure.suppress(counts, list(SEXES), smallest=smallest),
        smallest=smallest,
    )
