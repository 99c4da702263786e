"""Intake from care posts and community networks without accounts (issue 11).

The office's GBV team issues a one-time link to a post (`issue_intake_link`; only the SHA-256
of its secret is kept), the post sends the minimum through it once (`receive_intake`), or the
team types in a printed form (`record_paper_intake`). The team then opens a walk-in case from
the intake (`record_intake_as_case`) or closes it with a reason (`close_intake`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases import actions as case_actions
from amparo.cases.models import Case, ServiceType
from amparo.core import audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import User
from amparo.referrals import queries
from amparo.referrals.models import (
    INTAKE_LINK_MAX_HOURS,
    INTAKE_TEXT_LIMITS,
    AgeGroup,
    ContactBy,
    Intake,
    IntakeClosure,
    IntakeLink,
    IntakeSex,
    IntakeSource,
    IntakeState,
    IntakeUrgency,
    Provider,
)

TOKEN_BYTES = 32


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_issuer(actor: User) -> None:
    if not queries.may_issue_intake_links(actor):
        raise Http404


def _label(data: Mapping, errors: Errors) -> str:
    label = " ".join(str(data.get("label") or "").split())[:200]
    if not label:
        errors.add("label", _("Name the care post or community network."))
    return label


def _provider(actor: User, provider: Provider | None, errors: Errors) -> Provider | None:
    if (
        provider is not None
        and not queries.providers_visible_to(actor).filter(pk=provider.pk).exists()
    ):
        errors.add("provider", _("Choose a provider of your Care Route."))
    return provider


@transaction.atomic
def issue_intake_link(
    *,
    actor: User,
    label: str,
    hours: int,
    provider: Provider | None = None,
    request: HttpRequest | None = None,
) -> tuple[IntakeLink, str]:
    """A one-time intake link for a care post or community network, received by the actor's
    office. Returns the link and its secret, which is shown once and never stored (only its
    SHA-256 is).

    A member of the GBV team of their own office with `cases.manage` (404 otherwise). Lasts
    `hours` (1 to 7 days' worth). Side effects: audit `referrals.intake_link.created`.
    """
    _require_issuer(actor)
    errors = Errors()
    label = _label({"label": label}, errors)
    if not isinstance(hours, int) or not 1 <= hours <= INTAKE_LINK_MAX_HOURS:
        errors.add("hours", _("A link lasts from one hour to seven days."))
    _provider(actor, provider, errors)
    errors.raise_if_any()
    assert actor.office is not None  # noqa: S101 - checked by may_issue_intake_links
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = IntakeLink.objects.create(
        organization_id=actor.office.organization_id,
        office=actor.office,
        label=label,
        provider=provider,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + timedelta(hours=hours),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="referrals.intake_link.created",
        target=link,
        request=request,
        details={"hours": hours},
    )
    return link, token


@transaction.atomic
def revoke_intake_link(
    *, actor: User, link: IntakeLink, request: HttpRequest | None = None
) -> IntakeLink:
    """Stop a link from working (the GBV team of its office; 404 otherwise). A used or
    revoked link cannot be revoked again. Side effects: audit `referrals.intake_link.revoked`."""
    link = queries.intake_links_visible_to(actor).select_for_update(of=("self",)).get(pk=link.pk)
    if link.revoked_at is not None or link.used_at is not None:
        raise ActionError.general(_("This link was already used or revoked."))
    link.revoked_at, link.revoked_by = timezone.now(), actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor=actor, action="referrals.intake_link.revoked", target=link, request=request)
    return link


def _text(data: Mapping, field: str, errors: Errors, *, required: bool = False) -> str:
    raw = str(data.get(field) or "")
    if field == "note":  # the note keeps its lines
        value = "\n".join(" ".join(line.split()) for line in raw.splitlines()).strip()
    else:
        value = " ".join(raw.split())
    if required and not value:
        errors.add(field, _("This field is required."))
    if len(value) > INTAKE_TEXT_LIMITS[field]:
        errors.add(field, _("At most %(count)d characters.") % {"count": INTAKE_TEXT_LIMITS[field]})
    return value


def _choice(data: Mapping, field: str, choices: list[str], errors: Errors) -> str:
    value = data.get(field) or ""
    if value not in choices:
        errors.add(field, _("Choose a value from the list."))
    return value


def clean_intake(data: Mapping) -> dict:
    """The intake's fields, checked (the link's page and the printed form's entry share them).
    Raises ActionError with every problem."""
    errors = Errors()
    out = {
        "alias": _text(data, "alias", errors, required=True),
        "age_group": _choice(data, "age_group", AgeGroup.values, errors),
        "sex": _choice(data, "sex", IntakeSex.values, errors),
        "community": _text(data, "community", errors, required=True),
        "urgency": _choice(data, "urgency", IntakeUrgency.values, errors),
        "contact_by": _choice(data, "contact_by", ContactBy.values, errors),
        "phone": _text(data, "phone", errors),
        "may_call": bool(data.get("may_call")),
        "may_leave_message": bool(data.get("may_leave_message")),
        "safe_times": _text(data, "safe_times", errors),
        "note": _text(data, "note", errors),
    }
    needs = list(dict.fromkeys(data.get("needs") or []))
    if not needs:
        errors.add("needs", _("Choose at least one kind of help."))
    elif any(n not in ServiceType.values for n in needs):
        errors.add("needs", _("Choose a value from the list."))
    out["needs"] = needs
    if out["contact_by"] == ContactBy.PHONE and not out["phone"]:
        errors.add("phone", _("Give a phone number, or choose contact through the care post."))
    if data.get("consent") is not True:
        errors.add("consent", _("Without the person's agreement to be contacted, send nothing."))
    errors.raise_if_any()
    return {**out, "consent": True}


def receive_intake(*, token: str, data: Mapping) -> Intake:
    """What a care post sends through its link, received by the link's office. No account.

    The link is used and the intake saved in one transaction, by a conditional update: of two
    simultaneous submissions only one finds the link open; the other (and any later one, or
    one through an expired, revoked or unknown link) gets 404. Bad input raises ActionError
    before anything is written, and leaves the link open. Side effects: audit
    `referrals.intake.received`, with no actor and no personal text.
    """
    cleaned = clean_intake(data)
    link = queries.intake_link_by_token(token)
    if link is None:
        raise Http404
    with transaction.atomic():
        now = timezone.now()
        taken = IntakeLink.objects.filter(
            pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if taken != 1:
            raise Http404
        intake = Intake.objects.create(
            organization_id=link.organization_id,
            office_id=link.office_id,
            source=IntakeSource.LINK,
            link=link,
            sender_label=link.label,
            provider_id=link.provider_id,
            received_at=now,
            **cleaned,
        )
        # The sender's address is left out: it may be the survivor's own phone.
        audit.record(
            actor=None,
            action="referrals.intake.received",
            target=intake,
            details={"source": IntakeSource.LINK, "link": str(link.uuid)},
        )
    return intake


@transaction.atomic
def record_paper_intake(
    *,
    actor: User,
    label: str,
    data: Mapping,
    provider: Provider | None = None,
    request: HttpRequest | None = None,
) -> Intake:
    """A printed intake form the office received from a care post, typed in by its GBV team
    (404 for anyone else). Lands in the same inbox as the link's. Side effects: audit
    `referrals.intake.received` (source: paper)."""
    _require_issuer(actor)
    errors = Errors()
    label = _label({"label": label}, errors)
    _provider(actor, provider, errors)
    try:
        cleaned = clean_intake(data)
    except ActionError as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                errors.add(field, message)
    errors.raise_if_any()
    assert actor.office is not None  # noqa: S101 - checked by may_issue_intake_links
    intake = Intake.objects.create(
        organization_id=actor.office.organization_id,
        office=actor.office,
        source=IntakeSource.PAPER,
        sender_label=label,
        provider=provider,
        received_at=timezone.now(),
        entered_by=actor,
        **cleaned,
    )
    audit.record(
        actor=actor,
        action="referrals.intake.received",
        target=intake,
        request=request,
        details={"source": IntakeSource.PAPER},
    )
    return intake


def _waiting(actor: User, intake: Intake) -> Intake:
    intake = (
        queries.intakes_visible_to(actor)
        .select_for_update(of=("self",))
        .select_related(None)
        .get(pk=intake.pk)
    )
    if intake.state != IntakeState.RECEIVED:
        raise ActionError.general(_("This intake was already recorded or closed."))
    return intake


@transaction.atomic
def record_intake_as_case(
    *,
    actor: User,
    intake: Intake,
    identity: Mapping,
    risk_level: str,
    summary: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Record a waiting intake as a GBV walk-in case of its office (`cases`' own action, with
    its checks: `cases.manage`, the GBV team of the actor's office, which must be the
    intake's). How to reach her safely goes to the case's safe contact.

    Side effects: the walk-in case's audit events, and `referrals.intake.recorded`.
    """
    intake = _waiting(actor, intake)
    if actor.office_id != intake.office_id:
        raise Http404
    case = case_actions.open_walk_in_case(
        actor=actor, identity=identity, risk_level=risk_level, summary=summary, request=request
    )
    contact = [intake.safe_times]
    if intake.contact_by == ContactBy.CARE_POST:
        contact.insert(0, _("Through %(post)s.") % {"post": intake.sender_label})
    case_actions.record_safe_contact(
        actor=actor,
        case=case,
        data={
            "may_call": intake.may_call,
            "may_leave_message": intake.may_leave_message,
            "safe_contact": " ".join(c for c in contact if c),
        },
        request=request,
    )
    intake.state, intake.case = IntakeState.RECORDED, case
    intake.handled_by, intake.handled_at = actor, timezone.now()
    intake.save(update_fields=["state", "case", "handled_by", "handled_at", "updated_at"])
    audit.record(
        actor=actor,
        action="referrals.intake.recorded",
        target=intake,
        fields=["state", "case"],
        request=request,
        details={"case": str(case.uuid)},
    )
    return case


@transaction.atomic
def close_intake(
    *, actor: User, intake: Intake, reason: str, request: HttpRequest | None = None
) -> Intake:
    """Close a waiting intake without a case, with a reason (the GBV team of its office; 404
    otherwise). Side effects: audit `referrals.intake.closed`."""
    intake = _waiting(actor, intake)
    if reason not in IntakeClosure.values:
        raise ActionError.on("reason", _("Choose a value from the list."))
    intake.state, intake.closure_reason = IntakeState.CLOSED, reason
    intake.handled_by, intake.handled_at = actor, timezone.now()
    intake.save(update_fields=["state", "closure_reason", "handled_by", "handled_at", "updated_at"])
    audit.record(
        actor=actor,
        action="referrals.intake.closed",
        target=intake,
        fields=["state", "closure_reason"],
        request=request,
        details={"reason": reason},
    )
    return intake
