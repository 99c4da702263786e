"""The staff's campaign screens: templates (with a preview), campaigns (a draft is its own
confirmation page: how many people, what they read), and the delivery log. Thin: parse →
access → query or act → render. Anyone without `messaging.campaigns`, or looking at another
organization's records, gets 404."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.core import access
from amparo.core.errors import ActionError
from amparo.core.forms import errors_on
from amparo.core.http import AuthenticatedRequest
from amparo.core.models import User
from amparo.core.queries import offices_in_scope
from amparo.messaging import actions, display, queries, rendering
from amparo.messaging.forms import LANGUAGES, CampaignForm, ScheduleForm, TemplateForm
from amparo.messaging.models import Campaign, Channel, Template
from amparo.registry.models import Individual

PERMISSION = "messaging.campaigns"
SAMPLE_NAME = "Ana"
LANGUAGE_NAMES = {"es": "Español", "en": "English"}


def _require(user: User) -> None:
    if not access.can(user, PERMISSION) or user.organization_id is None:
        raise Http404


def _sample_office(user: User) -> str:
    if user.office is not None:
        return user.office.name
    first = offices_in_scope(user).filter(is_active=True).order_by("name").first()
    return first.name if first else ""


def preview(user: User, channel: str, texts: Mapping[str, Any]) -> list[dict]:
    """The message as "Ana" of the user's office reads it today, in each language written."""
    values = rendering.Values(first_name=SAMPLE_NAME, office=_sample_office(user))
    shown = []
    for language in ("es", "en"):
        body = (texts.get(f"body_{language}") or "").strip()
        if not body:
            continue
        text = rendering.render(body, values, language)
        subject = (texts.get(f"subject_{language}") or "").strip()
        shown.append(
            {
                "language": LANGUAGE_NAMES[language],
                "code": language,
                "subject": rendering.render(subject, values, language)
                if channel == Channel.EMAIL
                else "",
                "text": text,
                "sms": display.sms_length(text) if channel == Channel.SMS else None,
            }
        )
    return shown


@login_required
def campaign_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    _require(user)
    page = Paginator(queries.campaigns_visible_to(user), 20).get_page(request.GET.get("page"))
    counts = queries.counts_of_campaigns([campaign.pk for campaign in page])
    rows = [(campaign, counts[campaign.pk]) for campaign in page]
    return render(request, "messaging/campaigns.html", {"page": page, "rows": rows})


@login_required
def template_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    _require(user)
    page = Paginator(queries.templates_visible_to(user), 50).get_page(request.GET.get("page"))
    return render(request, "messaging/templates.html", {"page": page})


def _template_page(
    request, form: TemplateForm, template: Template | None, status: int = 200
) -> HttpResponse:
    texts = form.cleaned_data if form.is_bound and form.is_valid() else form.initial
    channel = texts.get("channel") or Channel.SMS
    context = {
        "form": form,
        "template": template,
        "preview": preview(request.user, channel, texts) if texts.get("body_es") else [],
        "sent": template is not None
        and template.campaigns.exclude(state=Campaign.State.DRAFT).exists(),
    }
    return render(request, "messaging/template_form.html", context, status=status)


def _save_template(request, template: Template | None) -> HttpResponse:
    form = TemplateForm(request.POST)
    if "preview" in request.POST or not form.is_valid():
        return _template_page(request, form, template, status=200 if form.is_valid() else 400)
    with errors_on(form):
        saved = actions.save_template(
            actor=request.user, template=template, request=request, **form.cleaned_data
        )
        messages.success(request, _("Template saved."))
        return redirect("messaging:template", saved.uuid)
    return _template_page(request, form, template, status=400)


@login_required
def template_new(request: AuthenticatedRequest) -> HttpResponse:
    _require(request.user)
    if request.method == "POST":
        return _save_template(request, None)
    return _template_page(request, TemplateForm(initial={"channel": Channel.SMS}), None)


@login_required
def template_detail(request: AuthenticatedRequest, template_id) -> HttpResponse:
    _require(request.user)
    template = queries.get_template_for(request.user, template_id)
    if request.method == "POST":
        return _save_template(request, template)
    return _template_page(
        request, TemplateForm(initial=TemplateForm.initial_from(template)), template
    )


@login_required
def template_copy(request: AuthenticatedRequest, template_id) -> HttpResponse:
    """The new-template form, filled in with a template's texts (to change a sent one)."""
    _require(request.user)
    template = queries.get_template_for(request.user, template_id)
    name = _("%(name)s (copy)") % {"name": template.name}
    form = TemplateForm(initial=TemplateForm.initial_from(template, name=name))
    return _template_page(request, form, None)


def _campaign_form(user: User, data=None) -> CampaignForm:
    return CampaignForm(
        data,
        templates=queries.templates_visible_to(user).filter(active=True),
        offices=offices_in_scope(user).filter(is_active=True).order_by("name"),
        areas=queries.areas_for_campaigns(user),
        projects=queries.projects_for_campaigns(user),
    )


@login_required
def campaign_new(request: AuthenticatedRequest) -> HttpResponse:
    """Name, template, who: saved as a draft, whose page asks to confirm."""
    user = request.user
    _require(user)
    if request.method != "POST":
        form = _campaign_form(user)
        chosen = request.GET.get("template")
        if chosen:
            form.initial["template"] = chosen
        return render(request, "messaging/campaign_new.html", {"form": form})
    form = _campaign_form(user, request.POST)
    if form.is_valid():
        with errors_on(form):
            campaign = actions.create_campaign(
                actor=user,
                name=form.cleaned_data["name"],
                template=form.cleaned_data["template"],
                filters=form.filters(),
                request=request,
            )
            return redirect("messaging:campaign", campaign.uuid)
    return render(request, "messaging/campaign_new.html", {"form": form}, status=400)


def _campaign_page(
    request, campaign: Campaign, status: int = 200, schedule_form: ScheduleForm | None = None
) -> HttpResponse:
    user = request.user
    template = campaign.template
    context: dict = {"campaign": campaign, "template": template}
    if campaign.state == Campaign.State.DRAFT:
        context["matching"] = queries.recipients(
            campaign.organization_id, campaign.filters, campaign.channel
        ).count()
        context["preview"] = preview(
            user,
            template.channel,
            {name: getattr(template, name) for name in TemplateForm.base_fields},
        )
        context["schedule_form"] = schedule_form or ScheduleForm()
    else:
        context["counts"] = queries.campaign_counts(campaign)
        page = Paginator(queries.campaign_messages(campaign), 50).get_page(request.GET.get("page"))
        context["page"] = page
        context["log"] = [(m, display.masked(m.address)) for m in page]
    context["can_cancel"] = campaign.state in (
        Campaign.State.DRAFT,
        Campaign.State.SCHEDULED,
        Campaign.State.SENDING,
    )
    context["filters"] = _filters_shown(campaign)
    return render(request, "messaging/campaign.html", context, status=status)


def _filters_shown(campaign: Campaign) -> list[tuple[str, str]]:
    """The campaign's filters as the officer chose them: names, not the codes kept."""
    filters = campaign.filters

    def labelled(key: str, choices) -> list[str]:
        labels = dict(choices)
        return [str(labels.get(code, code)) for code in filters.get(key) or []]

    names = {
        **queries.filter_names(campaign),
        "population_groups": labelled("population_groups", Individual.PopulationGroup.choices),
        "languages": labelled("languages", LANGUAGES),
    }
    labels = {
        "offices": _("Offices"),
        "areas": _("Where they live"),
        "population_groups": _("Population groups"),
        "languages": _("Languages they speak"),
        "project": _("Households entitled in the project"),
    }
    shown = [(label, ", ".join(names[key])) for key, label in labels.items() if names[key]]
    if filters.get("heads_only"):
        shown.append((_("Heads of household only"), _("yes")))
    return shown


@login_required
def campaign_detail(request: AuthenticatedRequest, campaign_id) -> HttpResponse:
    _require(request.user)
    return _campaign_page(request, queries.get_campaign_for(request.user, campaign_id))


@login_required
@require_POST
def campaign_schedule(request: AuthenticatedRequest, campaign_id) -> HttpResponse:
    """ "Send now", or "Send at" a time in the user's time zone."""
    user = request.user
    _require(user)
    campaign = queries.get_campaign_for(user, campaign_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        send_at = None if "now" in request.POST else form.cleaned_data["send_at"]
        if "now" not in request.POST and send_at is None:
            form.add_error("send_at", _("Choose when to send it."))
        else:
            with errors_on(form):
                actions.schedule_campaign(
                    actor=user, campaign=campaign, send_at=send_at, request=request
                )
                messages.success(
                    request,
                    _("Campaign sent.") if send_at is None else _("Campaign scheduled."),
                )
                return redirect("messaging:campaign", campaign.uuid)
    campaign.refresh_from_db()
    if campaign.state != Campaign.State.DRAFT:  # sent meanwhile: its page has no such form
        for message in form.non_field_errors():
            messages.error(request, str(message))
        return redirect("messaging:campaign", campaign.uuid)
    return _campaign_page(request, campaign, status=400, schedule_form=form)


@login_required
@require_POST
def campaign_cancel(request: AuthenticatedRequest, campaign_id) -> HttpResponse:
    user = request.user
    _require(user)
    campaign = queries.get_campaign_for(user, campaign_id)
    try:
        actions.cancel_campaign(actor=user, campaign=campaign, request=request)
    except ActionError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Campaign cancelled: what had not gone yet will not go."))
    return redirect("messaging:campaign", campaign.uuid)
