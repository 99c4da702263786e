"""The home page: the signed-in user's work, chosen by what their role allows (never by its
code). It sits above the apps it reads from (see .importlinter) and only reads, through each
app's scoped queries; the buttons post to the apps' own endpoints (a referral's answer goes to
`referrals:answer`), so every rule and audit event stays where it is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from amparo.cases import queries as cases
from amparo.core import access, twofactor
from amparo.core.http import AuthenticatedRequest
from amparo.feedback import queries as feedback
from amparo.feedback.models import Status as FeedbackStatus
from amparo.messaging import queries as messaging
from amparo.messaging.models import Campaign
from amparo.referrals import queries as referrals
from amparo.referrals.models import RECIPIENT, STATE_RULES, ReferralState
from amparo.registry import queries as registry

SHOWN = 10  # rows per list; each list links to its full page


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    can = {p: access.can(user, p) for p in _PERMISSIONS}
    context = {
        "today": timezone.localdate(),
        "permissions": user.role.permission_labels() if user.role else [],
        "can_search": can["registry.view"],
        "can_register": can["registry.register"],
        # A role with none of these lists (administrators, M&E) sees what it may do instead.
        "has_work": any(can.values()),
    }
    if can["cases.supervise"]:
        context["waiting"] = list(cases.approvals_waiting_for(user)[:SHOWN])
        context["overdue_office"] = list(cases.overdue_for_supervisor(user)[:SHOWN])
    if can["cases.manage"]:
        context["overdue"] = list(cases.overdue_for_caseworker(user)[:SHOWN])
    if can["referrals.respond"]:
        context["incoming"] = [
            (referral, _answers(referral), referrals.is_overdue(referral))
            for referral in referrals.waiting_for_answer(user)[:SHOWN]
        ]
    if access.restricted_offices(user):  # on a GBV team: people flagged at registration
        context["notices"] = list(registry.need_notices_for(user)[:SHOWN])
    if can["cases.gbv"] and referrals.intake_offices(user):
        context["intakes"] = list(referrals.waiting_intakes(user)[:SHOWN])
    if any(p in user.permissions for p in feedback.READERS):  # their role's, never a superuser's
        context["feedback"] = {
            "open": feedback.entries_visible_to(user).exclude(status=FeedbackStatus.CLOSED).count(),
            "overdue": feedback.overdue_for(user).count(),
        }
    if "messaging.campaigns" in user.permissions:  # their role's, as for feedback
        campaigns = messaging.campaigns_visible_to(user)
        context["campaigns"] = {
            "under_way": campaigns.filter(
                state__in=(Campaign.State.SCHEDULED, Campaign.State.SENDING)
            ).count(),
            "latest": list(campaigns[:3]),
        }
    if can["registry.register"]:
        context["registrations"] = list(registry.recent_registrations_by(user)[:5])
    if twofactor.authenticator_of(user) is not None:
        context["two_factor"] = True
        context["recovery_codes_left"] = twofactor.recovery_codes_left(user)
    return render(request, "home/home.html", context)


_PERMISSIONS = (
    "registry.view",
    "registry.register",
    "cases.manage",
    "cases.supervise",
    "cases.gbv",
    "referrals.respond",
)


def _answers(referral) -> list[tuple[ReferralState, object]]:
    """The moves the recipient may make next, with the rule that says what each writes (not
    the sender's withdrawal)."""
    follows = STATE_RULES[ReferralState(referral.state)].follows
    return [
        (state, STATE_RULES[state])
        for state in ReferralState
        if state in follows and STATE_RULES[state].mover == RECIPIENT
    ]
