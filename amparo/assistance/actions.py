"""Every write of assistance: projects, opening a cycle, and exactly-once delivery."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from amparo.assistance.models import AssistanceType, Cycle, Delivery, Entitlement, Project
from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Area, Office, User
from amparo.registry.models import Household, Individual

MAX_KEY_LENGTH = 100


class AlreadyDelivered(ActionError):
    """The entitlement was delivered before: `delivery` is that first delivery."""

    def __init__(self, delivery: Delivery):
        self.delivery = delivery
        officer = delivery.delivered_by
        super().__init__(
            {
                "__all__": [
                    _("Already delivered at %(time)s by %(officer)s.")
                    % {
                        "time": time_format(timezone.localtime(delivery.delivered_at), "H:i"),
                        "officer": officer.get_full_name() or officer.get_username(),
                    }
                ]
            }
        )


def _check_office(actor: User, office: Office) -> None:
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
    request=None,
) -> Cycle:
    """Open a distribution cycle of `project` at `office` and create its entitlements.

    The households, for this first slice: every active household of the office — in `area`
    when one is given — with, when `population_group` is given, at least one member of that
    group. Full targeting rules (criteria stored as data, scores, preview, exceptions) come
    later and will replace this choice. Each household is entitled to `amount` (money in
    `currency` for cash, a number of kits otherwise).

    Requires `assistance.manage` and an office of the project the actor may work in. Side
    effects: audit `assistance.cycle.opened` (with the number of entitlements).
    """
    access.require(actor, "assistance.manage")
    if project.organization_id != actor.organization_id:
        raise ActionError.on("project", _("Choose one of your organization's projects."))
    _check_office(actor, office)
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
    errors.raise_if_any()
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
        currency=currency.upper(),
        state=Cycle.State.OPEN,
        created_by=actor,
    )
    households = Household.objects.filter(office=office, status=Household.Status.ACTIVE)
    if area is not None:
        households = households.filter(area=area)
    if population_group:
        households = households.filter(
            pk__in=Individual.objects.filter(population_group=population_group).values(
                "household_id"
            )
        )
    entitlements = Entitlement.objects.bulk_create(
        Entitlement(
            organization_id=cycle.organization_id,
            office=office,
            cycle=cycle,
            household_id=household_id,
            amount=amount,
        )
        for household_id in households.order_by("pk").values_list("pk", flat=True)
    )
    audit.record(
        actor=actor,
        action="assistance.cycle.opened",
        target=cycle,
        request=request,
        details={"entitlements": len(entitlements)},
    )
    return cycle


def deliver(
    *,
    actor: User,
    entitlement: Entitlement,
    collected_by: Individual | str,
    idempotency_key: str | None = None,
    request=None,
) -> tuple[Delivery, bool]:
    """Record that `entitlement` was handed to `collected_by` (a member of the household, or
    the name of an authorised alternate); answer `(delivery, created)`.

    Exactly once: the entitlement's row is locked (SELECT … FOR UPDATE) for the transaction,
    so a concurrent delivery waits and then finds this one; the database's one-to-one
    constraint backs it up (SQLite, which serialises write transactions, or any path that
    skipped the lock). A second delivery raises `AlreadyDelivered` carrying the first; the same
    `idempotency_key` from the same officer answers the first delivery with `created` False
    (a retried request), never a second one.

    Requires `assistance.distribute` and an entitlement in the actor's scope (the caller
    fetched it through `queries.get_deliverable_entitlement_for`). Refuses a cycle that is not
    open, a day outside the cycle's dates, a cancelled entitlement. Side effects: the
    entitlement becomes delivered; audit `assistance.delivery.recorded`.
    """
    access.require(actor, "assistance.distribute")
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        raise ActionError.on(
            "idempotency_key",
            _("The idempotency key is longer than %(n)d characters.") % {"n": MAX_KEY_LENGTH},
        )
    if key is not None:
        replay = _replay(actor, key, entitlement)
        if replay is not None:
            return replay, False
    try:
        with transaction.atomic():
            return _deliver(
                actor=actor,
                entitlement=entitlement,
                collected_by=collected_by,
                key=key,
                request=request,
            )
    except IntegrityError:
        # Another transaction delivered it (or used this key) between our check and our
        # insert, without the lock: read what won.
        if key is not None:
            replay = _replay(actor, key, entitlement)
            if replay is not None:
                return replay, False
        first = Delivery.objects.select_related("delivered_by").filter(entitlement=entitlement)
        delivery = first.first()
        if delivery is None:
            raise
        raise AlreadyDelivered(delivery) from None


def _replay(actor: User, key: str, entitlement: Entitlement) -> Delivery | None:
    """The delivery this officer already recorded with `key`, if any."""
    delivery = (
        Delivery.objects.select_related("delivered_by")
        .filter(delivered_by=actor, idempotency_key=key)
        .first()
    )
    if delivery is not None and delivery.entitlement_id != entitlement.pk:
        raise ActionError.on(
            "idempotency_key",
            _("This idempotency key was already used for another entitlement."),
        )
    return delivery


def _deliver(
    *,
    actor: User,
    entitlement: Entitlement,
    collected_by: Individual | str,
    key: str | None,
    request,
) -> tuple[Delivery, bool]:
    locked = Entitlement.objects.select_for_update().select_related("cycle").get(pk=entitlement.pk)
    first = Delivery.objects.select_related("delivered_by").filter(entitlement=locked).first()
    if first is not None:
        if key is not None and first.delivered_by_id == actor.pk and first.idempotency_key == key:
            return first, False  # the same request, retried while the first was in flight
        raise AlreadyDelivered(first)
    cycle = locked.cycle
    now = timezone.now()
    today = timezone.localdate(now)
    if locked.state == Entitlement.State.CANCELLED:
        raise ActionError.general(_("This entitlement was cancelled."))
    if cycle.state != Cycle.State.OPEN:
        raise ActionError.general(_("The distribution cycle is not open."))
    if not cycle.start_date <= today <= cycle.end_date:
        raise ActionError.general(
            _("Deliveries of this cycle are recorded between %(start)s and %(end)s.")
            % {"start": date_format(cycle.start_date), "end": date_format(cycle.end_date)}
        )
    person: Individual | None = None
    alternate = ""
    if isinstance(collected_by, Individual):
        if collected_by.household_id != locked.household_id:
            raise ActionError.on(
                "collected_by", _("Choose a member of the household, or an authorised alternate.")
            )
        person = collected_by
    else:
        alternate = collected_by.strip()[:200]
        if not alternate:
            raise ActionError.on("collected_by", _("Say who collected the assistance."))
    delivery = Delivery.objects.create(
        organization_id=locked.organization_id,
        entitlement=locked,
        delivered_at=now,
        delivered_by=actor,
        collected_by=person,
        collected_by_alternate=alternate,
        idempotency_key=key,
    )
    locked.state = Entitlement.State.DELIVERED
    locked.save(update_fields=["state", "updated_at"])
    entitlement.state = locked.state
    audit.record(
        actor=actor,
        action="assistance.delivery.recorded",
        target=delivery,
        request=request,
        details={"entitlement": str(locked.uuid)},
    )
    return delivery, True
