"""The checks the case actions share: the actor is on the case's team, the case is open, text
fits, a date is not in the future, a colleague may hold a case."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases import queries
from amparo.cases.models import Case
from amparo.core import access
from amparo.core.errors import ActionError
from amparo.core.models import Office, User

MAX_TEXT = 20_000


def _check_team(actor: User, case: Case, permission: str = "cases.manage") -> Case:
    """404 unless the actor holds `permission` and is on the case's team; returns it locked."""
    access.require(actor, permission)
    return access.get_visible(
        queries.cases_visible_to(actor).select_for_update(of=("self",)), pk=case.pk
    )


def _check_open(case: Case) -> None:
    if case.is_closed:
        raise ActionError.general(_("This case is closed. Reopen it first."))


def _check_text(field: str, text: str, *, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionError.on(field, _("This field is required."))
    if len(text) > MAX_TEXT:
        raise ActionError.on(field, _("Keep this under %(max)d characters.") % {"max": MAX_TEXT})
    return text


def _check_not_future(field: str, value: date) -> None:
    if value > timezone.localdate():
        raise ActionError.on(field, _("This date is in the future."))


def _may_hold_case(user: User, office: Office, restricted: bool) -> bool:
    return (
        user.is_active
        and user.organization_id == office.organization_id
        and access.can(user, "cases.manage")
        and (not user.office_bound or user.office_id == office.pk)
        and (not restricted or queries.is_on_gbv_team(user, office.pk))
    )
