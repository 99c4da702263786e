"""Programme writes: projects and opening a distribution cycle with its entitlements."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.activities.models import ActivityType
from amparo.activities.models import Sector as ServiceSector
from amparo.assistance import targeting
from amparo.assistance.actions import stock
from amparo.assistance.models import (
    MEASURE_NEEDS,
    AmountBasis,
    AssistanceType,
    Cycle,
    Entitlement,
    IndicatorMeasure,
    KitType,
    Project,
    ProjectIndicator,
    Sector,
    TargetingRule,
    Warehouse,
)
from amparo.cases.models import ClosureReason
from amparo.core import access, audit
from amparo.core.errors import ALL, ActionError, Errors
from amparo.core.models import Area, Office, User
from amparo.registry.models import Individual

__all__ = [
    "add_project_indicator",
    "check_office",
    "create_project",
    "entitlement_amount",
    "open_cycle",
    "remove_project_indicator",
]


def check_office(actor: User, office: Office) -> None:
    if office.organization_id != actor.organization_id and not actor.is_superuser:
        raise ActionError.on("office", _("Choose one of your organization's offices."))
    if actor.office_bound and office.pk != actor.office_id:
        raise ActionError.on("office", _("You can only work in your own office."))


@transaction.atomic
def create_project(
    *,
    actor: User,
    code: str,
    name: str,
    sector: str,
    offices: Iterable[Office],
    start_date: datetime.date,
    end_date: datetime.date,
    donor: str = "",
    currency: str = "USD",
    target_households: int | None = None,
    target_items: int | None = None,
    request=None,
) -> Project:
    """Create a project of the actor's organization, run from `offices`.

    Requires `assistance.manage`. Raises ActionError for a taken code, dates out of order or an
    office of another organization. Side effects: audit `assistance.project.created`.
    """
    access.require(actor, "assistance.manage")
    organization_id = actor.organization_id
    if organization_id is None:  # a platform operator belongs to no organization
        raise Http404
    offices = list(offices)
    errors = Errors()
    code = code.strip()
    if not code:
        errors.add("code", _("Give the project a code."))
    elif Project.objects.filter(organization_id=organization_id, code=code).exists():
        errors.add("code", _("Another project already has this code."))
    if not name.strip():
        errors.add("name", _("Give the project a name."))
    if end_date < start_date:
        errors.add("end_date", _("The end date is before the start date."))
    if not offices:
        errors.add("offices", _("Choose at least one office."))
    if any(office.organization_id != organization_id for office in offices):
        errors.add("offices", _("Choose offices of your organization."))
    errors.raise_if_any()
    project = Project.objects.create(
        organization_id=organization_id,
        code=code,
        name=name.strip(),
        donor=donor.strip(),
        sector=sector,
        start_date=start_date,
        end_date=end_date,
        currency=currency.upper(),
        target_households=target_households,
        target_items=target_items,
    )
    project.offices.set(offices)
    audit.record(actor=actor, action="assistance.project.created", target=project, request=request)
    return project


@transaction.atomic
def open_cycle(
    *,
    actor: User,
    project: Project,
    office: Office,
    name: str,
    assistance_type: str,
    start_date: datetime.date,
    end_date: datetime.date,
    amount: Decimal,
    currency: str = "",
    place: str = "",
    area: Area | None = None,
    population_group: str = "",
    rule: TargetingRule | None = None,
    amount_basis: str = AmountBasis.HOUSEHOLD,
    member_cap: int | None = None,
    request=None,
    warehouse: Warehouse | None = None,
    kit_type: KitType | None = None,
    stock_override_reason: str = "",
) -> Cycle:
    """Open a distribution cycle of `project` at `office` and create its entitlements.

    The households: with a `rule` (one of the project's targeting rules), the office's active
    households it entitles today, its exceptions applied (`assistance.targeting`). Without
    one (older callers), every active household of the office — in `area` when one is given —
    with, when `population_group` is given, at least one member of that group. Each household
    is entitled to `amount` (money in `currency` for cash, a number of kits otherwise), or, per
    member (`amount_basis`), `amount` times its members, counting at most `member_cap`. A kit
    cycle given a `warehouse` and a `kit_type` takes its kits from there
    (`stock.dispatch_for_cycle`): refused without enough stock unless `stock_override_reason`
    is given.

    Requires `assistance.manage` and an office of the project the actor may work in. Refused
    when no household qualifies. Side effects: audit `assistance.cycle.opened` (with the
    number of entitlements).
    """
    access.require(actor, "assistance.manage")
    if project.organization_id != actor.organization_id:
        raise ActionError.on("project", _("Choose one of your organization's projects."))
    check_office(actor, office)
    errors = Errors()
    if not project.offices.filter(pk=office.pk).exists():
        errors.add("office", _("This office does not run the project."))
    if not name.strip():
        errors.add("name", _("Give the cycle a name."))
    if assistance_type not in AssistanceType.values:
        errors.add("assistance_type", _("Choose a type of assistance."))
    if end_date < start_date:
        errors.add("end_date", _("The end date is before the start date."))
    elif start_date < project.start_date or end_date > project.end_date:
        errors.add("end_date", _("The cycle must fall within the project's dates."))
    if amount <= 0:
        errors.add("amount", _("The amount must be more than zero."))
    if population_group and population_group not in Individual.PopulationGroup.values:
        errors.add("population_group", _("Choose a population group."))
    if rule is not None and rule.project_id != project.pk:
        errors.add("rule", _("Choose one of the project's targeting rules."))
    if amount_basis not in AmountBasis.values:
        errors.add("amount_basis", _("Choose per household or per member."))
    if member_cap is not None and (amount_basis != AmountBasis.MEMBER or member_cap < 1):
        errors.add("member_cap", _("A cap counts at least one member, and only per member."))
    errors.raise_if_any()
    if rule is not None:
        households = targeting.qualifying(rule, [office], timezone.localdate())
    else:
        households = targeting.base_households([office])
        if area is not None:
            households = households.filter(area=area)
        if population_group:
            households = households.filter(
                pk__in=Individual.objects.filter(population_group=population_group).values(
                    "household_id"
                )
            )
    chosen = list(households.order_by("pk").values_list("pk", F("_size")))
    if not chosen:
        raise ActionError.on(
            "rule" if rule is not None else ALL,
            _("No household qualifies: nothing to open. Check the rule's preview."),
        )
    cycle = Cycle.objects.create(
        organization_id=project.organization_id,
        project=project,
        office=office,
        name=name.strip(),
        assistance_type=assistance_type,
        place=place.strip(),
        area=area,
        start_date=start_date,
        end_date=end_date,
        amount=amount,
        amount_basis=amount_basis,
        member_cap=member_cap,
        rule=rule,
        currency=currency.upper(),
        state=Cycle.State.OPEN,
        created_by=actor,
    )
    entitlements = Entitlement.objects.bulk_create(
        (
            Entitlement(
                organization_id=cycle.organization_id,
                office=office,
                cycle=cycle,
                household_id=household_id,
                amount=entitlement_amount(cycle, size),
            )
            for household_id, size in chosen
        ),
        batch_size=2000,
    )
    stock.dispatch_for_cycle(
        actor=actor,
        cycle=cycle,
        warehouse=warehouse,
        kit_type=kit_type,
        override_reason=stock_override_reason,
        request=request,
    )
    audit.record(
        actor=actor,
        action="assistance.cycle.opened",
        target=cycle,
        request=request,
        details={"entitlements": len(entitlements)},
    )
    return cycle


def entitlement_amount(cycle: Cycle, members: int) -> Decimal:
    """What a household of `members` members gets in `cycle`: the amount, per household or
    per member (at most `member_cap` of them counted, at least one)."""
    if cycle.amount_basis != AmountBasis.MEMBER:
        return cycle.amount
    counted = max(1, members)
    if cycle.member_cap is not None:
        counted = min(counted, cycle.member_cap)
    return cycle.amount * counted


MAX_TARGET = Decimal("999999999999.99")


@transaction.atomic
def add_project_indicator(
    *,
    actor: User,
    project: Project,
    name: str,
    measure: str,
    target: Decimal | int | str,
    unit: str = "",
    sector: str = "",
    activity_type: str = "",
    closure_reason: str = "",
    request=None,
) -> ProjectIndicator:
    """Add an indicator to `project`: what it measures and its target (more than zero; a cash
    target is an amount in the project's currency, at most two decimals). A measure counted
    by the reports needs its one choice (`MEASURE_NEEDS`): the sector whose people reached it
    counts, the service or activity whose participants, the outcome of the cases closed.

    Requires `assistance.manage` and a project of the actor's organization (the caller fetched
    it through `queries_targeting.get_managed_project`). Side effects: audit
    `assistance.indicator.added`.
    """
    access.require(actor, "assistance.manage")
    if project.organization_id != actor.organization_id:
        raise Http404
    errors = Errors()
    name = name.strip()
    if not name:
        errors.add("name", _("Give the indicator a name."))
    elif len(name) > 120:
        errors.add("name", _("The name is too long (120 characters at most)."))
    if measure not in IndicatorMeasure.values:
        errors.add("measure", _("Choose what the indicator measures."))
    number: Decimal | None
    try:
        number = Decimal(str(target).strip())
    except (InvalidOperation, ValueError):
        number = None
    value = number if number is not None else Decimal(0)
    if number is None or not number.is_finite():
        errors.add("target", _("The target must be a number."))
    elif value <= 0 or value > MAX_TARGET:
        errors.add("target", _("The target must be more than zero."))
    elif value != value.quantize(Decimal("0.01")):
        errors.add("target", _("The target has at most two decimals."))
    elif (
        measure != IndicatorMeasure.CASH
        and measure != IndicatorMeasure.OTHER
        and (value != value.to_integral_value())
    ):
        errors.add("target", _("Households, people and kits are counted in whole numbers."))
    if len(unit.strip()) > 30:
        errors.add("unit", _("The unit is too long (30 characters at most)."))
    chosen = {"sector": sector, "activity_type": activity_type, "closure_reason": closure_reason}
    needed = MEASURE_NEEDS.get(measure)
    valid = {
        "sector": {*Sector.values, *ServiceSector.values},
        "activity_type": set(ActivityType.values),
        "closure_reason": set(ClosureReason.values),
    }
    if needed is not None and chosen[needed] not in valid[needed]:
        errors.add(
            needed,
            {
                "sector": _("Choose the sector whose people reached it counts."),
                "activity_type": _("Choose the service or activity whose participants it counts."),
                "closure_reason": _("Choose the outcome of the cases it counts."),
            }[needed],
        )
    errors.raise_if_any()
    indicator = ProjectIndicator.objects.create(
        organization_id=project.organization_id,
        project=project,
        name=name,
        measure=measure,
        unit=unit.strip(),
        target=value,
        created_by=actor,
        **{field: (choice if field == needed else "") for field, choice in chosen.items()},
    )
    audit.record(
        actor=actor,
        action="assistance.indicator.added",
        target=project,
        request=request,
        details={
            "indicator": str(indicator.uuid),
            "measure": measure,
            "target": str(value),
            **({needed: chosen[needed]} if needed else {}),
        },
    )
    return indicator


@transaction.atomic
def remove_project_indicator(*, actor: User, indicator: ProjectIndicator, request=None) -> None:
    """Remove one of a project's indicators (a target set by mistake).

    Requires `assistance.manage` and an indicator of the actor's organization. Side effects:
    audit `assistance.indicator.removed`, on the project, with what the indicator was.
    """
    access.require(actor, "assistance.manage")
    if indicator.organization_id != actor.organization_id:
        raise Http404
    project = indicator.project
    details = {
        "indicator": str(indicator.uuid),
        "name": indicator.name,
        "measure": indicator.measure,
        "target": str(indicator.target),
    }
    ProjectIndicator.objects.filter(pk=indicator.pk).delete()
    audit.record(
        actor=actor,
        action="assistance.indicator.removed",
        target=project,
        request=request,
        details=details,
    )
