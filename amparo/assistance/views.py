"""The distribution point's screens, for a phone: open cycles, a cycle's pending entitlements,
one tap to deliver. Thin: parse → access → query or act → render."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.assistance import actions, queries, queries_cards
from amparo.assistance.models import Cycle, Entitlement
from amparo.core import access, audit
from amparo.core.errors import ActionError
from amparo.registry.models import Individual


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    """The open cycles the officer may deliver in."""
    access.require(request.user, "assistance.distribute")
    return render(
        request, "assistance/cycles.html", {"cycles": queries.open_cycles_for(request.user)}
    )


@login_required
def distribution(request: HttpRequest, cycle_id) -> HttpResponse:
    """A cycle's pending entitlements, 25 a page, searched by household reference (audited:
    it lists households and their members' names); with `card`, the check-in of the household
    whose card number was typed or scanned."""
    access.require(request.user, "assistance.distribute")
    cycle = queries.get_cycle_for(request.user, cycle_id)
    card_number = request.GET.get("card", "").strip()[:40]
    checkin = _checkin(request, cycle, card_number) if card_number else None
    reference = request.GET.get("q", "").strip()[:32]
    pending = queries.pending_entitlements_of(request.user, cycle, reference=reference)
    page = Paginator(pending, 25).get_page(request.GET.get("page"))
    audit.record(
        actor=request.user, action="assistance.cycle.listed", target=cycle, request=request
    )
    return render(
        request,
        "assistance/distribution.html",
        {
            "cycle": cycle,
            "page": page,
            "q": reference,
            "checkin": checkin,
            # One key per page shown: a double tap on the same button records one delivery.
            "page_key": uuid.uuid4().hex,
        },
    )


@login_required
@require_POST
def deliver(request: HttpRequest, entitlement_id) -> HttpResponse:
    """Record one delivery, then back to the cycle's list with what happened."""
    user = request.user
    entitlement = queries.get_deliverable_entitlement_for(user, entitlement_id)
    back = reverse("assistance:distribution", args=[entitlement.cycle.uuid])
    if request.POST.get("q"):
        back += "?" + urlencode({"q": request.POST["q"][:32]})
    member = request.POST.get("collected_by", "").strip()
    collected_by: Individual | str = request.POST.get("collected_by_name", "").strip()
    if member:
        person = queries.household_member_for(user, entitlement, member)
        if person is None:
            messages.error(request, _("Choose a member of the entitlement's household."))
            return redirect(back)
        collected_by = person
    try:
        delivery, created = actions.deliver(
            actor=user,
            entitlement=entitlement,
            collected_by=collected_by,
            idempotency_key=request.POST.get("key") or None,
            request=request,
        )
    except ActionError as refused:
        messages.error(
            request,
            f"{entitlement.household.reference}: {' '.join(refused.messages)}",
        )
        return redirect(back)
    if created:
        messages.success(
            request,
            _("Delivered to %(reference)s.") % {"reference": entitlement.household.reference},
        )
    else:
        messages.info(
            request,
            _("This delivery to %(reference)s was already recorded.")
            % {"reference": entitlement.household.reference},
        )
    return redirect(back)


def _checkin(request: HttpRequest, cycle: Cycle, number: str) -> dict:
    """What the check-in by card shows: the household's entitlement in `cycle` and, when it
    cannot be delivered, why (`refusal`); or only `refusal` (unknown or revoked card, nothing
    to collect here). Resolving a card is audited; so is a revoked card shown."""
    user = request.user
    card = queries_cards.find_card_for(user, actions.normalise_token(number))
    if card is None:
        return {"refusal": _("No card has the number %(number)s.") % {"number": number}}
    if card.revoked_at is not None:
        audit.record(actor=user, action="assistance.card.refused", target=card, request=request)
        return {"refusal": queries_cards.revoked_message(card)}
    household = card.household
    audit.record(
        actor=user,
        action="assistance.card.resolved",
        target=household,
        request=request,
        details={"card": str(card.uuid)},
    )
    entitlement = queries_cards.checkin_entitlement(user, cycle, household)
    if entitlement is None:
        return {
            "refusal": _("Household %(reference)s has nothing to collect in this cycle.")
            % {"reference": household.reference}
        }
    refusal = ""
    delivery = getattr(entitlement, "delivery", None)
    if delivery is not None:
        refusal = actions.AlreadyDelivered(delivery).messages[0]
    elif entitlement.state == Entitlement.State.CANCELLED:
        refusal = _("This entitlement was cancelled.")
    return {"entitlement": entitlement, "refusal": refusal}
