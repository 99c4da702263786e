"""Who sees what: the one access policy every query and every action goes through.

- A user sees only their organization's records.
- A user whose role is office-bound sees only their office's records.
- Platform superusers (the operators of an installation) see every organization's
  administrative records; later apps restrict sensitive files (GBV, PSEA) to their teams even
  for them.
- Anything outside a user's scope, or an ability their role lacks, answers 404 — the same
  answer as a record that does not exist, so scope cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from amparo.core.models import User

M = TypeVar("M", bound=Model)


def can(user: User, permission: str) -> bool:
    """Whether `user`'s role grants `permission` (superusers hold every permission)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return permission in user.permissions


def role_grants(user: User, permission: str) -> bool:
    """Whether `user`'s role itself grants `permission`: for what being a superuser must not
    open (sensitive feedback, and the audit events about it)."""
    return user.is_authenticated and user.is_active and permission in user.permissions


def require(user: User, permission: str) -> None:
    """Raise 404 unless `user` holds `permission`."""
    if not can(user, permission):
        raise Http404


def can_any(user: User, permissions: Iterable[str]) -> bool:
    """Whether `user`'s role grants at least one of `permissions`."""
    return any(can(user, permission) for permission in permissions)


def require_any(user: User, permissions: Iterable[str]) -> None:
    """Raise 404 unless `user` holds at least one of `permissions`."""
    if not can_any(user, permissions):
        raise Http404


def visible(
    user: User,
    qs: QuerySet[M],
    *,
    organization_field: str | None = "organization",
    office_field: str | None = "office",
) -> QuerySet[M]:
    """Narrow `qs` to the rows `user` may see by organization and office.

    `organization_field` / `office_field` name the lookups from the model to its
    organization and office; None where the model has no such link.
    """
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.organization_id is None:
        return qs.none()
    if organization_field:
        qs = qs.filter(**{organization_field: user.organization_id})
    if office_field and user.office_bound:
        if user.office_id is None:  # an office-bound role without an office sees nothing
            return qs.none()
        qs = qs.filter(**{office_field: user.office_id})
    return qs


def get_visible(qs: QuerySet[M], **lookup) -> M:
    """One row of an already scoped queryset, or 404 for missing and out-of-scope alike."""
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


# Who may read restricted records (GBV and PSEA files, and what would reveal one, such as a
# person's need "survivor of violence"): apps above core say so, by office, with
# `add_restricted_reader` (cases: the office's GBV team), so that core and the registry need not
# know their tables.
_restricted_readers: list[Callable[[User], Iterable[int]]] = []


def add_restricted_reader(offices_of: Callable[[User], Iterable[int]]) -> None:
    """Register `offices_of(user)`: the ids of the offices whose restricted records the user
    may read."""
    if offices_of not in _restricted_readers:
        _restricted_readers.append(offices_of)


def restricted_offices(user: User | None) -> frozenset[int]:
    """The offices whose restricted records `user` may read (none for most users)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(office for reader in _restricted_readers for office in reader(user))
