"""Every read of assistance that a screen or endpoint shows, already scoped.

Who sees a cycle and its entitlements: holders of `assistance.distribute` or `assistance.manage`
in its organization (in its office for office-bound roles). Who may deliver: holders of
`assistance.distribute` within the same scope. Everybody else gets 404.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from amparo.assistance.models import Cycle, Delivery, Entitlement, Project
from amparo.core import access
from amparo.core.models import User
from amparo.registry.models import Individual
from amparo.registry.queries import individuals_visible_to

READ = ("assistance.distribute", "assistance.manage")


def projects_visible_to(user: User) -> QuerySet[Project]:
    """The organization's projects, for holders of an assistance permission."""
    if not access.can_any(user, READ):
        return Project.objects.none()
    return access.visible(user, Project.objects.all(), office_field=None)


def cycles_visible_to(user: User) -> QuerySet[Cycle]:
    """The cycles `user` may see (see the module's docstring)."""
    if not access.can_any(user, READ):
        return Cycle.objects.none()
    qs = Cycle.objects.select_related("project", "office")
    return access.visible(user, qs, office_field="office")


def entitlements_visible_to(user: User) -> QuerySet[Entitlement]:
    """The entitlements `user` may see, with their household, cycle and delivery."""
    if not access.can_any(user, READ):
        return Entitlement.objects.none()
    qs = with_current_delivery(Entitlement.objects.select_related("household", "cycle"))
    return access.visible(user, qs, office_field="office")


def with_current_delivery(qs: QuerySet[Entitlement]) -> QuerySet[Entitlement]:
    """Prefetch each entitlement's current (not reversed) delivery and its officer, read as
    `entitlement.delivery`: one query for the whole page."""
    current = Delivery.objects.filter(reversed_at__isnull=True).select_related("delivered_by")
    return qs.prefetch_related(
        Prefetch("deliveries", queryset=current, to_attr="current_deliveries")
    )


def entitlements_deliverable_by(user: User) -> QuerySet[Entitlement]:
    """The entitlements `user` may record a delivery for: those they see, with
    `assistance.distribute`."""
    if not access.can(user, "assistance.distribute"):
        return Entitlement.objects.none()
    return entitlements_visible_to(user)


def get_entitlement_for(user: User, entitlement_id: UUID | str) -> Entitlement:
    """One entitlement `user` may see; 404 when missing or out of scope."""
    return access.get_visible(entitlements_visible_to(user), uuid=entitlement_id)


def get_deliverable_entitlement_for(user: User, entitlement_id: UUID | str) -> Entitlement:
    """One entitlement `user` may deliver, with its household and cycle; 404 when missing, out
    of scope or not theirs to deliver. Its delivery is not read (`actions.deliver` reads it
    under the row's lock): one query less on the distribution point's busiest call."""
    if not access.can(user, "assistance.distribute"):
        raise Http404
    qs = Entitlement.objects.select_related("household", "cycle")
    return access.get_visible(access.visible(user, qs, office_field="office"), uuid=entitlement_id)


def household_member_for(user: User, entitlement: Entitlement, member_id) -> Individual | None:
    """The member `member_id` of the entitlement's household, if `user` may see them (who
    collects a delivery); only what a delivery needs of them is read."""
    try:
        uuid_value = UUID(str(member_id))
    except ValueError:
        return None
    members = individuals_visible_to(user).select_related(None).only("pk", "uuid", "household_id")
    return members.filter(household_id=entitlement.household_id, uuid=uuid_value).first()


def get_cycle_for(user: User, cycle_id: UUID | str) -> Cycle:
    """One cycle `user` may see; 404 when missing or out of scope."""
    return access.get_visible(cycles_visible_to(user), uuid=cycle_id)


def deliveries_visible_to(user: User) -> QuerySet[Delivery]:
    """The deliveries `user` may see (those of the entitlements they see)."""
    if not access.can_any(user, READ):
        return Delivery.objects.none()
    qs = Delivery.objects.select_related("entitlement", "delivered_by")
    return access.visible(user, qs, office_field="entitlement__office")


def open_cycles_for(user: User) -> QuerySet[Cycle]:
    """The open cycles `user` may deliver in, soonest ending first."""
    if not access.can(user, "assistance.distribute"):
        return Cycle.objects.none()
    return cycles_visible_to(user).filter(state=Cycle.State.OPEN).order_by("end_date", "pk")


def pending_entitlements_of(
    user: User, cycle: Cycle, *, reference: str = ""
) -> QuerySet[Entitlement]:
    """The pending entitlements of `cycle` that `user` may deliver, by household reference
    (`reference`: any part of it), each household with the members `user` may see
    (`household.shown_members`, the head first)."""
    qs = entitlements_deliverable_by(user).filter(cycle=cycle, state=Entitlement.State.PENDING)
    if reference:
        qs = qs.filter(household__reference__icontains=reference)
    members = individuals_visible_to(user).order_by("-is_head", "pk")
    return qs.prefetch_related(
        Prefetch("household__members", queryset=members, to_attr="shown_members")
    ).order_by("household__reference", "pk")
