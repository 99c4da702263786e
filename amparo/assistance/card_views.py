"""Beneficiary card screens: a household's card (issue, replace, revoke, print) and a cycle's
cards (issue to every household without one, print them all on A4 sheets). Thin: parse →
access → query or act → render.

What a card carries: the QR code holds the card number alone (an opaque token, no personal
data); the card also prints the number, the organization's name and the household reference,
which names no one and is what the registry searches by when a card cannot be read.
"""

import datetime

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from amparo.assistance import actions, queries, queries_cards
from amparo.assistance.models import Card
from amparo.core import access, audit
from amparo.core.forms import errors_on


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


def qr_svg(token: str) -> str:
    """The card's QR code as inline SVG: the card number alone, sized by the page's CSS."""
    return segno.make(token, error="m", micro=False).svg_inline(
        omitsize=True, svgclass="qr", lineclass=None, border=2
    )


@login_required
def household_cards(request: HttpRequest, household_id) -> HttpResponse:
    """A household's card in use (if any) and the cards it had (audited)."""
    household = queries_cards.get_card_household_for(request.user, household_id)
    audit.record(
        actor=request.user, action="assistance.card.viewed", target=household, request=request
    )
    return _household_page(request, household, ReasonForm(), ReasonForm())


def _household_page(request, household, issue_form, revoke_form, status=200) -> HttpResponse:
    cards = queries_cards.cards_of(request.user, household)
    in_use = next((card for card in cards if card.revoked_at is None), None)
    return render(
        request,
        "assistance/cards.html",
        {
            "household": household,
            "in_use": in_use,
            "revoked": [card for card in cards if card.revoked_at is not None],
            "issue_form": issue_form,
            "revoke_form": revoke_form,
        },
        status=status,
    )


@login_required
@require_POST
def issue_card(request: HttpRequest, household_id) -> HttpResponse:
    """Issue the household a card, or replace the card in use (a reason is required)."""
    household = queries_cards.get_card_household_for(request.user, household_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            card = actions.issue_card(
                actor=request.user,
                household=household,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, _("Card %(number)s issued.") % {"number": card.display_token})
            return redirect("assistance:household-cards", household.uuid)
    return _household_page(request, household, form, ReasonForm(), status=400)


@login_required
@require_POST
def revoke_card(request: HttpRequest, household_id) -> HttpResponse:
    """Revoke the household's card in use (a reason is required)."""
    household = queries_cards.get_card_household_for(request.user, household_id)
    card = queries_cards.card_in_use_of(request.user, household)
    form = ReasonForm(request.POST)
    if card is not None and form.is_valid():
        with errors_on(form):
            actions.revoke_card(
                actor=request.user, card=card, reason=form.cleaned_data["reason"], request=request
            )
            revoked = _("Card %(number)s revoked.") % {"number": card.display_token}
            messages.success(request, revoked)
            return redirect("assistance:household-cards", household.uuid)
    return _household_page(request, household, ReasonForm(), form, status=400)


@login_required
def print_household_card(request: HttpRequest, household_id) -> HttpResponse:
    """The household's card in use, ready to print on an ID-1 card (reprinting gives the same
    number). Audited."""
    household = queries_cards.get_card_household_for(request.user, household_id)
    card = queries_cards.card_in_use_of(request.user, household)
    if card is None:
        messages.error(request, _("This household has no card in use: issue one first."))
        return redirect("assistance:household-cards", household.uuid)
    audit.record(
        actor=request.user,
        action="assistance.card.printed",
        target=household,
        request=request,
        details={"card": str(card.uuid)},
    )
    return render(
        request,
        "assistance/card_print.html",
        {"cards": [_printable(card)], "single": True, "back": household},
    )


@login_required
def cycle_cards(request: HttpRequest, cycle_id) -> HttpResponse:
    """A cycle's cards: how many households still need one, and the batch actions."""
    cycle = queries.get_cycle_for(request.user, cycle_id)
    return render(
        request,
        "assistance/cycle_cards.html",
        {
            "cycle": cycle,
            "without_card": queries_cards.cycle_households_without_card(request.user, cycle),
            "in_use": queries_cards.cycle_cards_in_use(request.user, cycle).count(),
            "can_deliver": access.can(request.user, "assistance.distribute"),
        },
    )


@login_required
@require_POST
def issue_cycle_cards(request: HttpRequest, cycle_id) -> HttpResponse:
    """Issue a card to every household of the cycle that has none, then print them."""
    cycle = queries.get_cycle_for(request.user, cycle_id)
    form = forms.Form(request.POST)
    with errors_on(form):
        cards = actions.issue_cycle_cards(actor=request.user, cycle=cycle, request=request)
        if not cards:
            messages.info(request, _("No card issued: every household has one."))
            return redirect("assistance:cycle-cards", cycle.uuid)
        issued = ngettext("%(n)d card issued.", "%(n)d cards issued.", len(cards))
        messages.success(request, issued % {"n": len(cards)})
        since = min(card.issued_at for card in cards)
        url = reverse("assistance:cycle-cards-print", args=[cycle.uuid])
        return redirect(f"{url}?{urlencode({'since': since.isoformat()})}")
    for message in form.non_field_errors():
        messages.error(request, message)
    return redirect("assistance:cycle-cards", cycle.uuid)


@login_required
def print_cycle_cards(request: HttpRequest, cycle_id) -> HttpResponse:
    """The cycle's cards in use, on A4 sheets (`CARDS_PER_PAGE` a page); `since` (a time) keeps
    those issued from then on, the batch just issued. Audited."""
    cycle = queries.get_cycle_for(request.user, cycle_id)
    cards = queries_cards.cycle_cards_in_use(request.user, cycle)
    since = _parse_time(request.GET.get("since", ""))
    if since is not None:
        cards = cards.filter(issued_at__gte=since)
    page = Paginator(cards, queries_cards.CARDS_PER_PAGE).get_page(request.GET.get("page"))
    audit.record(
        actor=request.user,
        action="assistance.card.printed",
        target=cycle,
        request=request,
        details={"cards": len(page.object_list)},
    )
    return render(
        request,
        "assistance/card_print.html",
        {"cards": [_printable(card) for card in page], "page": page, "cycle": cycle},
    )


def _printable(card: Card) -> dict:
    return {"card": card, "qr": qr_svg(card.token)}


def _parse_time(text: str) -> datetime.datetime | None:
    try:
        return parse_datetime(text.replace(" ", "+")) if text else None
    except ValueError:
        return None
