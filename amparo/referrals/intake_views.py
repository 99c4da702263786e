"""Intake from care posts and community networks (issue 11): the public one-time page, and the
office GBV team's inbox, links and printed form. Thin: parse → access → query or act → render.

The public page carries its secret in the path: it is never cached, indexed or sent on as a
referrer, each client address gets a few tries a minute, and every link it cannot use (used,
expired, revoked, unknown) gets the same 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from amparo.cases.models import RiskLevel
from amparo.core import access, audit, ratelimit
from amparo.core.forms import errors_on
from amparo.referrals import actions, queries
from amparo.referrals.forms import (
    CloseIntakeForm,
    IntakeCaseForm,
    IntakeForm,
    IntakeLinkForm,
    PaperIntakeForm,
)
from amparo.referrals.models import ContactBy, IntakeLinkState, IntakeState, IntakeUrgency

# The largest body the public form can honestly need (its fields are short).
INTAKE_MAX_BODY = 16 * 1024
PUBLIC_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the secret is in the address
    "X-Robots-Tag": "noindex, nofollow",
}


def _too_big(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > INTAKE_MAX_BODY
    except ValueError:
        return True


def _public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The public page's edge: rate limit, bounded body, one 404 for every unusable link, the
    headers of a page whose address is a secret, and its language from `?lang=`.

    No CSRF check: with no referrer, browsers post from the page with "Origin: null" (and no
    Referer), which Django's check refuses; and a forged post would need the secret in the
    path, which is all the page asks for. So the page sets no cookie at all.
    """

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        if request.GET.get("lang") in dict(settings.LANGUAGES):
            translation.activate(request.GET["lang"])
            request.LANGUAGE_CODE = translation.get_language()
        if ratelimit.over_limit(request, "intake", settings.AMPARO_INTAKE_TRIES_PER_MINUTE):
            response = render(request, "referrals/intake_public_limit.html", status=429)
        elif request.method == "POST" and _too_big(request):
            response = render(request, "referrals/intake_public_gone.html", status=413)
        else:
            try:
                response = view(request, token)
            except Http404:
                response = render(request, "referrals/intake_public_gone.html", status=404)
        for header, value in PUBLIC_HEADERS.items():
            response[header] = value
        # Django logs every answer of 400 or more with its path, which holds the secret.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response

    return wrapped


@_public
def public_intake(request: HttpRequest, token: str) -> HttpResponse:
    """The form a care post fills in through its one-time link (no account)."""
    link = queries.intake_link_by_token(token)
    if link is None or link.state_at(timezone.now()) != IntakeLinkState.OPEN:
        raise Http404
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            actions.receive_intake(token=token, data=form.cleaned_data)
            return render(request, "referrals/intake_public_thanks.html")
    return render(
        request,
        "referrals/intake_public.html",
        {"form": form, "link": link},
        status=400 if form.errors else 200,
    )


def _require_team(request: HttpRequest) -> None:
    if not queries.intake_offices(request.user):
        raise Http404


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The intakes the user's GBV team received, and its links with their state."""
    _require_team(request)
    user = request.user
    intakes = queries.intakes_visible_to(user)
    now = timezone.now()
    links = list(queries.intake_links_visible_to(user)[:50])
    for link in links:
        link.state = IntakeLinkState(link.state_at(now))
    return render(
        request,
        "referrals/intake_inbox.html",
        {
            "waiting": queries.waiting_intakes(user),
            "handled": intakes.exclude(state=IntakeState.RECEIVED)[:50],
            "links": links,
            "may_issue": queries.may_issue_intake_links(user),
        },
    )


def _providers(request: HttpRequest):
    return queries.providers_visible_to(request.user).filter(is_active=True).order_by("name")


@login_required
def new_link(request: HttpRequest) -> HttpResponse:
    """Issue a link; its secret is shown on this answer only."""
    user = request.user
    if not queries.may_issue_intake_links(user):
        raise Http404
    providers = list(_providers(request))
    form = IntakeLinkForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form):
            link, token = actions.issue_intake_link(
                actor=user,
                label=d["label"],
                hours=d["hours"],
                provider=next((p for p in providers if p.pk == d["provider"]), None),
                request=request,
            )
            address = request.build_absolute_uri(reverse("intake", args=[token]))
            return render(
                request, "referrals/intake_link_issued.html", {"link": link, "url": address}
            )
    return render(
        request,
        "referrals/intake_link_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke_link(request: HttpRequest, link_id) -> HttpResponse:
    link = queries.get_intake_link_for(request.user, link_id)
    with errors_on(form := forms.Form()):
        actions.revoke_intake_link(actor=request.user, link=link, request=request)
        messages.success(request, _("The link no longer works."))
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect("referrals:intakes")


@login_required
def detail(request: HttpRequest, intake_id) -> HttpResponse:
    intake = queries.get_intake_for(request.user, intake_id)
    if request.method == "GET":
        audit.record_view(request=request, target=intake)
    form = CloseIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            actions.close_intake(
                actor=request.user,
                intake=intake,
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, _("The intake is closed."))
            return redirect("referrals:intakes")
    return render(
        request,
        "referrals/intake_detail.html",
        {
            "intake": intake,
            "form": form,
            "may_record": access.can(request.user, "cases.manage")
            and request.user.office_id == intake.office_id,
        },
        status=400 if form.errors else 200,
    )


def _summary(intake) -> str:
    lines = [
        _("Intake from %(post)s, received %(date)s.")
        % {
            "post": intake.sender_label,
            "date": date_format(timezone.localtime(intake.received_at).date()),
        },
        _("Age group: %(group)s.") % {"group": intake.get_age_group_display()},
        _("Neighbourhood or community: %(place)s.") % {"place": intake.community},
        _("Help needed: %(needs)s.") % {"needs": ", ".join(intake.get_needs_display())},
        _("Urgency: %(urgency)s.") % {"urgency": intake.get_urgency_display()},
        _("Contact: %(how)s.") % {"how": intake.get_contact_by_display()},
    ]
    if intake.note:
        lines.append(intake.note)
    return "\n".join(lines)


RISK_BY_URGENCY = {
    IntakeUrgency.NOW: RiskLevel.HIGH,
    IntakeUrgency.DAYS: RiskLevel.MEDIUM,
    IntakeUrgency.WHEN_POSSIBLE: RiskLevel.MEDIUM,
}


@login_required
def record(request: HttpRequest, intake_id) -> HttpResponse:
    """Open a GBV walk-in case from an intake, filled from what it has."""
    user = request.user
    intake = queries.get_intake_for(user, intake_id)
    if request.method == "GET":  # the form shows what the intake says of her
        audit.record_view(request=request, target=intake)
    initial = {
        "given_names": intake.alias,
        "sex": intake.sex,
        "phone": intake.phone if intake.contact_by == ContactBy.PHONE else "",
        "risk_level": RISK_BY_URGENCY[IntakeUrgency(intake.urgency)],
        "summary": _summary(intake),
    }
    form = IntakeCaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form):
            case = actions.record_intake_as_case(
                actor=user,
                intake=intake,
                identity={"given_names": d["given_names"], "sex": d["sex"], "phone": d["phone"]},
                risk_level=d["risk_level"],
                summary=d["summary"],
                request=request,
            )
            messages.success(
                request, _("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect("cases:detail", case.uuid)
    return render(
        request,
        "referrals/intake_record.html",
        {"intake": intake, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def paper(request: HttpRequest) -> HttpResponse:
    """Type in a printed intake form the office received from a care post."""
    user = request.user
    if not queries.may_issue_intake_links(user):
        raise Http404
    providers = list(_providers(request))
    form = PaperIntakeForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form):
            intake = actions.record_paper_intake(
                actor=user,
                label=d["label"],
                data=d,
                provider=next((p for p in providers if p.pk == d["provider"]), None),
                request=request,
            )
            messages.success(request, _("The intake is in the inbox."))
            return redirect("referrals:intake", intake.uuid)
    return render(
        request, "referrals/intake_paper.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def print_form(request: HttpRequest) -> HttpResponse:
    """The blank intake form, to print for posts without a phone."""
    _require_team(request)
    return render(request, "referrals/intake_print.html", {"form": IntakeForm()})
