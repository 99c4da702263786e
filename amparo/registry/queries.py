"""Every read of registry records a screen, endpoint or export shows, already scoped."""

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from amparo.core import access
from amparo.core.models import User
from amparo.registry.models import Document, Household, Individual


def households_visible_to(user: User) -> QuerySet[Household]:
    """Households of the user's organization; of their office only for office-bound roles."""
    if not access.can(user, "registry.view"):
        return Household.objects.none()
    qs = Household.objects.select_related("office", "area", "organization")
    return access.visible(user, qs, office_field="office")


def households_with_members_visible_to(user: User) -> QuerySet[Household]:
    """`households_visible_to`, with members (head first, then by age) and their documents."""
    members = Individual.objects.order_by("-is_head", "date_of_birth").prefetch_related(
        Prefetch("documents", queryset=Document.objects.order_by("id"))
    )
    return households_visible_to(user).prefetch_related(Prefetch("members", queryset=members))


def get_household_for(user: User, household_id: UUID | str) -> Household:
    """One household with its members and their documents; 404 when missing or out of scope."""
    return access.get_visible(households_with_members_visible_to(user), uuid=household_id)


def recent_registrations_by(user: User) -> QuerySet[Household]:
    """The households `user` registered (and may still see), newest first, members head first."""
    members = Individual.objects.order_by("-is_head", "date_of_birth")
    return (
        households_visible_to(user)
        .filter(registered_by_id=user.pk)
        .order_by("-created_at", "-id")
        .prefetch_related(Prefetch("members", queryset=members))
    )


def individuals_visible_to(user: User) -> QuerySet[Individual]:
    """Individuals whose household the user may see."""
    if not access.can(user, "registry.view"):
        return Individual.objects.none()
    qs = Individual.objects.select_related("household", "household__office")
    return access.visible(user, qs, office_field="household__office")


def get_individual_for(user: User, individual_id: UUID | str) -> Individual:
    qs = individuals_visible_to(user).prefetch_related("documents")
    return access.get_visible(qs, uuid=individual_id)


def import_mapping_for(user: User) -> dict[str, str]:
    """The column mapping the user's organization used last time (empty when none)."""
    from amparo.registry.models import ImportMapping

    if user.organization_id is None:
        return {}
    mapping = ImportMapping.objects.filter(organization_id=user.organization_id).first()
    return dict(mapping.columns) if mapping else {}
