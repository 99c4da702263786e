"""Reads of a project's indicators: its targets and how far its deliveries have come."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum

from amparo.assistance.models import (
    CASH_TYPES,
    Delivery,
    Entitlement,
    IndicatorMeasure,
    Project,
    ProjectIndicator,
)
from amparo.assistance.queries_targeting import managed_cycles, managed_projects
from amparo.core import access
from amparo.core.models import User
from amparo.registry.models import Individual


@dataclass(frozen=True)
class Progress:
    """One indicator: its target, what was reached (None when assistance cannot compute it:
    measure "other") and the share of the target reached, in whole percent."""

    indicator: ProjectIndicator
    actual: Decimal | int | None
    percent: int | None


@dataclass(frozen=True)
class ProjectProgress:
    households: int
    people: int
    kits: Decimal
    cash: dict[str, Decimal]  # currency → amount delivered
    indicators: list[Progress]


def indicators_of(user: User, project: Project) -> QuerySet[ProjectIndicator]:
    """The indicators of a project `user` plans (nothing for anyone else)."""
    if not access.can(user, "assistance.manage"):
        return ProjectIndicator.objects.none()
    qs = ProjectIndicator.objects.filter(project=project)
    return access.visible(user, qs, office_field=None).order_by("created_at", "pk")


def managed_projects_with_indicators(user: User) -> QuerySet[Project]:
    """The projects `user` plans, each with its indicators (in the order they were added)."""
    ordered = ProjectIndicator.objects.order_by("created_at", "pk")
    return managed_projects(user).prefetch_related(Prefetch("indicators", queryset=ordered))


def get_indicator_for(user: User, indicator_id) -> ProjectIndicator:
    """One indicator of a project `user` plans; 404 otherwise."""
    if not access.can(user, "assistance.manage"):
        return access.get_visible(ProjectIndicator.objects.none(), uuid=indicator_id)
    qs = ProjectIndicator.objects.select_related("project")
    return access.get_visible(access.visible(user, qs, office_field=None), uuid=indicator_id)


def delivered_entitlements(user: User, project: Project) -> QuerySet[Entitlement]:
    """The entitlements of the project's cycles `user` plans that have a current (not
    reversed) delivery."""
    current = Delivery.objects.filter(entitlement=OuterRef("pk"), reversed_at__isnull=True)
    cycles = managed_cycles(user).filter(project=project).values("pk")
    return Entitlement.objects.filter(cycle__in=cycles).filter(Exists(current))


def project_progress(user: User, project: Project) -> ProjectProgress:
    """What the project's deliveries reached, against each of its indicators: households
    reached (each once, whatever the cycles), people reached (their members today), kits
    delivered (the amounts of delivered entitlements of kit cycles) and cash delivered (of cash
    cycles, per currency; a cash indicator compares with the project's currency). Reversed
    deliveries do not count. Four queries."""
    delivered = delivered_entitlements(user, project)
    households = delivered.values("household_id").distinct().count()
    people = Individual.objects.filter(household_id__in=delivered.values("household_id")).count()
    kits = delivered.exclude(cycle__assistance_type__in=CASH_TYPES).aggregate(n=Sum("amount"))[
        "n"
    ] or Decimal(0)
    cash_rows = (
        delivered.filter(cycle__assistance_type__in=CASH_TYPES)
        .values_list("cycle__currency")
        .annotate(total=Sum("amount"))
        .order_by("cycle__currency")
    )
    cash: dict[str, Decimal] = {}
    for currency, total in cash_rows:
        key = currency or project.currency
        cash[key] = cash.get(key, Decimal(0)) + total
    actuals = {
        IndicatorMeasure.HOUSEHOLDS: households,
        IndicatorMeasure.PEOPLE: people,
        IndicatorMeasure.KITS: kits,
        IndicatorMeasure.CASH: cash.get(project.currency, Decimal(0)),
    }
    rows = []
    for indicator in indicators_of(user, project):
        actual = actuals.get(indicator.measure)
        percent = None
        if actual is not None:
            percent = int(Decimal(actual) * 100 / indicator.target)
        rows.append(Progress(indicator=indicator, actual=actual, percent=percent))
    return ProjectProgress(
        households=households, people=people, kits=kits, cash=cash, indicators=rows
    )
