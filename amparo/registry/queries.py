"""Every read of registry records a screen, endpoint or export shows, already scoped."""

from collections.abc import Callable
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from amparo.core import access
from amparo.core.models import User
from amparo.registry.models import (
    RESTRICTED_NEEDS,
    SPECIFIC_NEEDS,
    Document,
    Household,
    Individual,
    NeedNotice,
)


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


def survivor_of(user: User, individual_id: UUID | str) -> Individual | None:
    """The record a merged one (a tombstone) became, when the user may see both: an old
    identifier still leads to the person. Merges keep `merged_into` pointing at a standing
    record (a later merge moves earlier tombstones along)."""
    if not access.can(user, "registry.view"):
        return None
    tombstones = access.visible(
        user,
        Individual.with_merged.filter(merged_into__isnull=False),
        office_field="household__office",
    )
    survivor = tombstones.filter(uuid=individual_id).values("merged_into_id")[:1]
    return individuals_visible_to(user).filter(pk__in=survivor).first()


def merged_into(person: Individual) -> QuerySet[Individual]:
    """The records merged into `person` (the caller scoped the person), oldest first."""
    return (
        Individual.with_merged.filter(merged_into=person).select_related("household").order_by("pk")
    )


def import_mapping_for(user: User) -> dict[str, str]:
    """The column mapping the user's organization used last time (empty when none)."""
    from amparo.registry.models import ImportMapping

    if user.organization_id is None:
        return {}
    mapping = ImportMapping.objects.filter(organization_id=user.organization_id).first()
    return dict(mapping.columns) if mapping else {}


def need_reader(user: User | None) -> Callable[[Individual], list[str]]:
    """What `user` may read of people's specific needs: every need, except the restricted ones
    (`RESTRICTED_NEEDS`) of people whose household is outside the offices whose restricted files
    the user reads. The one filter every page, endpoint and export goes through; it asks once
    per reader, so a list of people costs no query per person."""
    offices = access.restricted_offices(user)

    def needs(person: Individual) -> list[str]:
        codes = list(person.specific_needs or [])
        if person.household.office_id in offices:
            return codes
        return [code for code in codes if code not in RESTRICTED_NEEDS]

    return needs


def needs_visible_to(user: User, person: Individual) -> list[str]:
    return need_reader(user)(person)


def need_names(codes: list[str]) -> list[str]:
    return [str(SPECIFIC_NEEDS.get(code, code)) for code in codes]


def may_search_by_need(user: User | None, need: str) -> bool:
    """A restricted need is a search filter only for those who read some office's restricted
    files (and it finds only people of those offices: `search_by_need`)."""
    return need not in RESTRICTED_NEEDS or bool(access.restricted_offices(user))


def search_by_need(user: User | None, qs: QuerySet[Individual], need: str) -> QuerySet[Individual]:
    """`qs` narrowed to people with `need`, as far as `user` may read it."""
    from django.db import connection

    if connection.features.supports_json_field_contains:
        qs = qs.filter(specific_needs__contains=need)
    else:
        qs = qs.filter(specific_needs__icontains=f'"{need}"')
    if need in RESTRICTED_NEEDS:
        qs = qs.filter(household__office_id__in=access.restricted_offices(user))
    return qs


def need_notices_for(user: User) -> QuerySet[NeedNotice]:
    """The open notices to the GBV teams `user` is on (`access.restricted_offices`): people on
    whom a restricted need was recorded by someone off the team. None for anyone else."""
    if user.organization_id is None:
        return NeedNotice.objects.none()
    return (
        NeedNotice.objects.filter(
            organization_id=user.organization_id,
            office_id__in=access.restricted_offices(user),
            closed_at__isnull=True,
        )
        .select_related("individual", "office")
        .order_by("created_at", "id")
    )


def get_need_notice_for(user: User, notice_id: UUID | str) -> NeedNotice:
    return access.get_visible(need_notices_for(user), uuid=notice_id)
