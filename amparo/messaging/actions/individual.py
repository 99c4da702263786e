"""A message to one person, written by staff from the person's page or one of their cases.

An opt-out is from *campaigns*: a person who answered STOP to a campaign still gets the
messages their caseworker writes to them (an appointment, a document ready to collect). What
they refuse is mass messaging; only `contact_consent` (withdrawn in the registry) stops these.

A message about a restricted case (GBV, sexual exploitation and abuse) keeps no text once sent
(`body_kept` False, emptied by `delivery.py`), and its audit event is readable only by that
office's GBV team (`restricted_office`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amparo.cases import queries as case_queries
from amparo.cases.models import Case
from amparo.core import access, audit
from amparo.core.errors import ActionError, Errors
from amparo.core.models import User
from amparo.messaging import rendering, tasks
from amparo.messaging.actions.campaigns import MAX_BODY, MAX_SUBJECT
from amparo.messaging.models import Channel, Message, Template
from amparo.messaging.queries import ADDRESS_FIELD
from amparo.registry import queries as registry_queries
from amparo.registry.models import Individual


@dataclass(frozen=True)
class Composed:
    """What would be sent: the address, the language, the subject and the text."""

    address: str
    language: str
    subject: str
    body: str


def channels_for(individual: Individual) -> list[str]:
    """The channels this person has an address for, in `Channel`'s order."""
    return [c for c in Channel.values if getattr(individual, ADDRESS_FIELD[c], "")]


def _readable(actor: User, individual: Individual, case: Case | None) -> None:
    """404 unless the actor may send, reads the person and (if given) the case about them."""
    access.require(actor, "messaging.send")
    if not registry_queries.individuals_visible_to(actor).filter(pk=individual.pk).exists():
        raise Http404
    if case is not None and not (
        case_queries.cases_visible_to(actor)
        .filter(pk=case.pk, individuals__pk=individual.pk)
        .exists()
    ):
        raise Http404


def compose(
    *,
    actor: User,
    individual: Individual,
    channel: str,
    text: str = "",
    subject: str = "",
    template: Template | None = None,
    case: Case | None = None,
) -> Composed:
    """The message as it would leave, or `ActionError` listing what stops it (the preview and
    `send_to_person` use the same rules). The text, given or the template's in the person's
    language, may use {first_name}, {office} and {date}."""
    _readable(actor, individual, case)
    errors = Errors()
    if not individual.contact_consent:
        raise ActionError.general(_("This person has not agreed to be contacted."))
    if channel not in Channel.values:
        raise ActionError.on("channel", _("Choose a channel."))
    address = getattr(individual, ADDRESS_FIELD[channel], "")
    if not address:
        errors.add(
            "channel",
            _("This person has no e-mail address.")
            if channel == Channel.EMAIL
            else _("This person has no phone number."),
        )
    language = rendering.language_for(individual.languages)
    text, subject = (text or "").strip(), (subject or "").strip()
    if template is not None:
        if (
            template.organization_id != actor.organization_id
            or not template.active
            or template.channel != channel
        ):
            errors.add("template", _("Choose one of your templates for this channel."))
        else:
            english = language == "en" and bool(template.body_en)
            text = text or (template.body_en if english else template.body_es)
            subject = subject or ((template.subject_en if english else template.subject_es) or "")
    if not text:
        errors.add("text", _("Write the message, or choose a template."))
    values = rendering.Values(
        first_name=rendering.first_name(individual.given_names),
        office=individual.household.office.name,
    )
    body = rendering.render(text, values, language)
    subject = rendering.render(subject, values, language)
    limit = MAX_BODY.get(channel, 2000)
    if len(body) > limit:
        errors.add("text", _("Keep it under %(n)d characters.") % {"n": limit})
    if len(subject) > MAX_SUBJECT:
        errors.add("subject", _("Keep it under %(n)d characters.") % {"n": MAX_SUBJECT})
    if channel == Channel.EMAIL and not subject:
        errors.add("subject", _("An e-mail needs a subject."))
    if channel != Channel.EMAIL:
        subject = ""
    errors.raise_if_any()
    return Composed(address=address, language=language, subject=subject, body=body)


@transaction.atomic
def send_to_person(
    *,
    actor: User,
    individual: Individual,
    channel: str,
    text: str,
    subject: str = "",
    template: Template | None = None,
    case: Case | None = None,
    request=None,
) -> Message:
    """Queue one message to `individual` (see the module's docstring); the worker sends it.

    Refuses with 404 when the actor may not send or does not read the person (or the case), and
    with `ActionError` when the person has not agreed to be contacted, has no address on the
    channel, or the text is empty or too long. Audit: `messaging.message.queued`, about the
    person (so it is in their history), with the channel and the message, never the text."""
    composed = compose(
        actor=actor,
        individual=individual,
        channel=channel,
        text=text,
        subject=subject,
        template=template,
        case=case,
    )
    restricted_office_id = case.office_id if case is not None and case.restricted else None
    message = Message.objects.create(
        organization_id=individual.organization_id,
        office_id=individual.household.office_id,
        individual=individual,
        channel=channel,
        address=composed.address,
        language=composed.language,
        subject=composed.subject,
        body=composed.body,
        body_kept=restricted_office_id is None,
        restricted_office_id=restricted_office_id,
        sent_by=actor,
        next_attempt_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="messaging.message.queued",
        target=individual,
        request=request,
        details={"channel": channel, "message": str(message.uuid)},
        restricted_office_id=restricted_office_id,
    )
    transaction.on_commit(lambda: tasks.enqueue_drain(None))
    return message
