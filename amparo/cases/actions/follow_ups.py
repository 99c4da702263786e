"""Follow-ups (visits, calls, sessions) and case notes."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from amparo.cases.actions._checks import (
    _check_not_future,
    _check_open,
    _check_team,
    _check_text,
)
from amparo.cases.models import Case, CaseNote, FollowUp
from amparo.core import audit
from amparo.core.errors import ActionError
from amparo.core.models import User


@transaction.atomic
def add_follow_up(
    *,
    actor: User,
    case: Case,
    date: date,
    kind: str,
    notes: str = "",
    next_date: date | None = None,
    request: HttpRequest | None = None,
) -> FollowUp:
    case = _check_team(actor, case)
    _check_open(case)
    if kind not in FollowUp.Kind.values:
        raise ActionError.on("kind", _("Choose visit, call or session."))
    _check_not_future("date", date)
    if next_date is not None and next_date < date:
        raise ActionError.on("next_date", _("The next follow-up must be after this one."))
    follow_up = FollowUp.objects.create(
        case=case,
        date=date,
        kind=kind,
        notes=_check_text("notes", notes),
        next_date=next_date,
        author=actor,
    )
    audit.record(
        actor=actor,
        action="cases.follow_up.added",
        target=case,
        request=request,
        details={"kind": kind},
    )
    return follow_up


@transaction.atomic
def add_note(*, actor: User, case: Case, text: str, request: HttpRequest | None = None) -> CaseNote:
    case = _check_team(actor, case)
    note = CaseNote.objects.create(
        case=case, text=_check_text("text", text, required=True), author=actor
    )
    audit.record(actor=actor, action="cases.note.added", target=case, request=request)
    return note
