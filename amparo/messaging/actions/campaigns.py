"""Every write of messaging a person makes: templates, campaigns, opt-outs.

Each runs in one transaction, refuses bad input with `ActionError` in the user's language and
leaves an audit event (never a message's text). The worker's writes are in `delivery.py`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.assistance.models import Project
from amparo.core import access, audit, references
from amparo.core.errors import ALL, ActionError, Errors
from amparo.core.models import Area, Office, User
from amparo.messaging import rendering, tasks
from amparo.messaging.models import Campaign, Channel, Message, OptOut, Template
from amparo.messaging.queries import recipients
from amparo.registry.models import Individual

MAX_BODY = {"sms": 640, "whatsapp": 1000, "email": 2000}
MAX_SUBJECT = 150
FILTER_KEYS = {"offices", "areas", "population_groups", "languages", "project", "heads_only"}
LANGUAGE_CODES = frozenset({"es", "en", "fr", "pt", "ar", "ht", "qu", "wayuu"})


def _require(actor: User) -> int:
    """The actor's organization, if they may prepare messages."""
    if not access.can(actor, "messaging.campaigns") or actor.organization_id is None:
        raise ActionError.general(_("You may not prepare messages."))
    return actor.organization_id


@transaction.atomic
def save_template(
    *,
    actor: User,
    template: Template | None = None,
    name: str,
    channel: str,
    body_es: str,
    body_en: str = "",
    subject_es: str = "",
    subject_en: str = "",
    request=None,
) -> Template:
    """Create a template, or change one no campaign has started with (copy it instead)."""
    organization_id = _require(actor)
    errors = Errors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("Give the template a name."))
    elif len(name) > 120:
        errors.add("name", _("Keep the name under %(n)d characters.") % {"n": 120})
    elif (
        Template.objects.filter(organization_id=organization_id, name__iexact=name)
        .exclude(pk=template.pk if template else 0)
        .exists()
    ):
        errors.add("name", _("Another template has this name."))
    if channel not in Channel.values:
        errors.add("channel", _("Choose a channel."))
    texts = {
        "body_es": body_es,
        "body_en": body_en,
        "subject_es": subject_es,
        "subject_en": subject_en,
    }
    texts = {key: (value or "").strip() for key, value in texts.items()}
    if not texts["body_es"]:
        errors.add("body_es", _("Write the message in Spanish."))
    limit = MAX_BODY.get(channel, 2000)
    for key, value in texts.items():
        maximum = MAX_SUBJECT if key.startswith("subject") else limit
        if len(value) > maximum:
            errors.add(key, _("Keep it under %(n)d characters.") % {"n": maximum})
        unknown = rendering.unknown_variables(value)
        if unknown:
            errors.add(
                key,
                _("Unknown variables: %(names)s. Use {first_name}, {office} or {date}.")
                % {"names": ", ".join("{" + n + "}" for n in unknown)},
            )
    if channel == Channel.EMAIL and not texts["subject_es"]:
        errors.add("subject_es", _("An e-mail needs a subject."))
    if template is not None:
        if template.organization_id != actor.organization_id:
            raise ActionError.general(_("You may not prepare messages."))
        if template.campaigns.exclude(state=Campaign.State.DRAFT).exists():
            errors.add(
                ALL, _("A campaign has been sent with this template: make a copy to change it.")
            )
    errors.raise_if_any()
    created = template is None
    if template is None:
        template = Template(organization_id=organization_id, created_by=actor)
    template.name, template.channel = name, channel
    for key, value in texts.items():
        setattr(template, key, value)
    template.save()
    audit.record(
        actor=actor,
        action="messaging.template.created" if created else "messaging.template.changed",
        target=template,
        request=request,
    )
    return template


def clean_filters(actor: User, filters: dict[str, Any]) -> dict[str, Any]:
    """The campaign's recipient filters, checked against the organization's own data."""
    errors = Errors()
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        errors.add(
            "filters", _("Unknown filters: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    clean: dict[str, Any] = {}

    def codes(key: str) -> list[str]:
        value = filters.get(key) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.add(key, _("Give a list of codes."))
            return []
        return sorted({v.strip() for v in value if v.strip()})

    offices = codes("offices")
    if offices:
        known = set(
            access.visible(
                actor, Office.objects.filter(code__in=offices, is_active=True), office_field="pk"
            ).values_list("code", flat=True)
        )
        if set(offices) - known:
            errors.add(
                "offices",
                _("Unknown offices: %(codes)s.")
                % {"codes": ", ".join(sorted(set(offices) - known))},
            )
        clean["offices"] = offices
    areas = codes("areas")
    if areas:
        known = set(Area.objects.filter(code__in=areas).values_list("code", flat=True))
        if set(areas) - known:
            errors.add(
                "areas",
                _("Unknown areas: %(codes)s.") % {"codes": ", ".join(sorted(set(areas) - known))},
            )
        clean["areas"] = areas
    groups = codes("population_groups")
    if groups:
        wrong = set(groups) - set(Individual.PopulationGroup.values)
        if wrong:
            errors.add(
                "population_groups",
                _("Unknown population groups: %(codes)s.") % {"codes": ", ".join(sorted(wrong))},
            )
        clean["population_groups"] = groups
    languages = codes("languages")
    if languages:
        clean["languages"] = languages
    project = filters.get("project") or ""
    if project:
        if (
            not isinstance(project, str)
            or not Project.objects.filter(
                organization_id=actor.organization_id or 0, code=project
            ).exists()
        ):
            errors.add("project", _("Unknown project."))
        clean["project"] = project
    if filters.get("heads_only"):
        clean["heads_only"] = True
    errors.raise_if_any()
    return clean


@transaction.atomic
def create_campaign(
    *, actor: User, name: str, template: Template, filters: dict[str, Any], request=None
) -> Campaign:
    organization_id = _require(actor)
    errors = Errors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("Give the campaign a name."))
    elif len(name) > 120:
        errors.add("name", _("Keep the name under %(n)d characters.") % {"n": 120})
    if template.organization_id != actor.organization_id or not template.active:
        errors.add("template", _("Choose one of your templates."))
    errors.raise_if_any()
    clean = clean_filters(actor, filters)
    (reference,) = references.office_year(
        organization_id=organization_id,
        lead="M",
        office_code="ORG",
        year=timezone.localdate().year,
        digits=4,
    )
    campaign = Campaign.objects.create(
        organization_id=organization_id,
        reference=reference,
        name=name,
        template=template,
        filters=clean,
        created_by=actor,
    )
    audit.record(actor=actor, action="messaging.campaign.created", target=campaign, request=request)
    return campaign


@transaction.atomic
def schedule_campaign(
    *, actor: User, campaign: Campaign, send_at: datetime.datetime | None = None, request=None
) -> Campaign:
    """Send now (`send_at` None) or at a time: the worker prepares and sends it."""
    _require(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.organization_id != actor.organization_id:
        raise ActionError.general(_("You may not prepare messages."))
    if campaign.state != Campaign.State.DRAFT:
        raise ActionError.general(_("This campaign has already been scheduled."))
    now = timezone.now()
    if send_at is not None and send_at < now - datetime.timedelta(minutes=5):
        raise ActionError.on("send_at", _("Choose a time that has not passed."))
    if send_at is not None and send_at > now + datetime.timedelta(days=90):
        raise ActionError.on("send_at", _("Choose a time within the next 90 days."))
    count = recipients(campaign.organization_id, campaign.filters, campaign.channel).count()
    if not count:
        raise ActionError.general(_("Nobody matches: no one would receive this campaign."))
    campaign.state = Campaign.State.SCHEDULED
    campaign.send_at = send_at or now
    campaign.recipients = count
    campaign.save(update_fields=["state", "send_at", "recipients"])
    audit.record(
        actor=actor,
        action="messaging.campaign.scheduled",
        target=campaign,
        request=request,
        details={"recipients": count},
    )
    at = campaign.send_at
    transaction.on_commit(lambda: tasks.enqueue_prepare(campaign.pk, at=at))
    return campaign


@transaction.atomic
def cancel_campaign(*, actor: User, campaign: Campaign, request=None) -> Campaign:
    """Stop a campaign: what is not yet with the provider is not sent."""
    _require(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.organization_id != actor.organization_id:
        raise ActionError.general(_("You may not prepare messages."))
    if campaign.state not in (
        Campaign.State.SCHEDULED,
        Campaign.State.SENDING,
        Campaign.State.DRAFT,
    ):
        raise ActionError.general(_("This campaign has ended."))
    campaign.state = Campaign.State.CANCELLED
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["state", "finished_at"])
    campaign.messages.filter(state__in=(Message.State.QUEUED, Message.State.CLAIMED)).update(
        state=Message.State.CANCELLED, claim=None, error="campaign cancelled"
    )
    audit.record(
        actor=actor, action="messaging.campaign.cancelled", target=campaign, request=request
    )
    return campaign


@transaction.atomic
def opt_out(
    *, channel: str, address: str, source: str, actor: User | None = None, request=None
) -> OptOut:
    """No more campaign messages to this address on this channel, from now: the ones still
    queued are cancelled at once."""
    if channel not in Channel.values or not address:
        raise ActionError.general(_("Unknown address."))
    optout, created = OptOut.objects.get_or_create(
        channel=channel, address=address, defaults={"source": source}
    )
    Message.objects.filter(
        channel=channel,
        address=address,
        campaign__isnull=False,
        state__in=(Message.State.QUEUED, Message.State.CLAIMED),
    ).update(state=Message.State.CANCELLED, claim=None, error="opted out")
    if created:
        audit.record(
            actor=actor,
            action="messaging.optout.recorded",
            target=optout,
            request=request,
            actor_username="" if actor else source,
            details={"channel": channel, "source": source},
        )
    return optout
