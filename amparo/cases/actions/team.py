"""Who works on a case: its members, and the GBV team of an office (kept by administrators)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from amparo.cases.actions._checks import _check_open, _check_team, _may_hold_case
from amparo.cases.models import Case, GBVTeamMember
from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.core.models import Office, User


@transaction.atomic
def add_member(*, actor: User, case: Case, user: User, request: HttpRequest | None = None) -> None:
    case = _check_team(actor, case)
    _check_open(case)
    if not _may_hold_case(user, case.office, case.restricted):
        message = (
            _("Only members of the office's GBV team can join this case.")
            if case.restricted
            else _("Choose a colleague of this office who works on cases.")
        )
        raise ActionError.on("user", message)
    case.members.add(user)
    audit.record(actor=actor, action="cases.member.added", target=case, request=request)


@transaction.atomic
def remove_member(
    *, actor: User, case: Case, user: User, request: HttpRequest | None = None
) -> None:
    case = _check_team(actor, case)
    case.members.remove(user)
    audit.record(actor=actor, action="cases.member.removed", target=case, request=request)


@transaction.atomic
def add_to_gbv_team(
    *, actor: User | None, office: Office, user: User, request: HttpRequest | None = None
) -> GBVTeamMember:
    """An administrator puts a GBV specialist on an office's GBV team (without reading files).

    `actor=None` is the deployment script (`amparo createuser --gbv-team`): the same rules on
    who may join, no administrator to check. Side effects: audit `cases.gbv_team.added`.
    """
    if actor is not None:
        access.require(actor, "core.manage_users")
        if not actor.is_superuser and office.organization_id != actor.organization_id:
            raise Http404
    if user.organization_id != office.organization_id or not access.can(user, "cases.gbv"):
        raise ActionError.on("user", _("Choose a GBV specialist of this organization."))
    if actor is not None and user.pk == actor.pk:
        raise ActionError.on("user", _("Another administrator must add you to a GBV team."))
    if user.office_bound and user.office_id != office.pk:
        raise ActionError.on("user", _("This person works in another office."))
    member, _created = GBVTeamMember.objects.get_or_create(office=office, user=user)
    audit.record(
        actor=actor,
        action="cases.gbv_team.added",
        target=user,
        request=request,
        organization_id=office.organization_id,
        details={"office": office.code},
    )
    return member


@transaction.atomic
def remove_from_gbv_team(
    *, actor: User, office: Office, user: User, request: HttpRequest | None = None
) -> None:
    access.require(actor, "core.manage_users")
    if not actor.is_superuser and office.organization_id != actor.organization_id:
        raise Http404
    GBVTeamMember.objects.filter(office=office, user=user).delete()
    audit.record(
        actor=actor,
        action="cases.gbv_team.removed",
        target=user,
        request=request,
        organization_id=office.organization_id,
        details={"office": office.code},
    )
