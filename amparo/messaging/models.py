"""Messages to the people we serve: templates, campaigns, one row per message, opt-outs.

Every message has its own row and state (`Message.State`), written by the worker around the
provider's call: that is what lets a killed worker lose nothing and send nothing twice
(`delivery.py`). Opt-outs are kept per channel and address: a number that answered STOP gets
nothing more on that channel, whoever it is registered as.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.crypto import EncryptedTextField
from amparo.core.models import Office, Organization
from amparo.registry.models import Individual


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Template(models.Model):
    """A message in each language, with variables: {first_name}, {office}, {date}."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject_es = models.CharField(_("subject (Spanish)"), max_length=150, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=150, blank=True)
    body_es = models.TextField(_("text (Spanish)"), max_length=2000)
    body_en = models.TextField(_("text (English)"), max_length=2000, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="template_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        FINISHED = "finished", _("Finished")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    reference = models.CharField(_("reference"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    template = models.ForeignKey(
        Template, models.PROTECT, related_name="campaigns", verbose_name=_("template")
    )
    # The registry filters that choose the recipients (`queries.recipients`), as given.
    filters = models.JSONField(_("recipients"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="draft")
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="campaign_reference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @property
    def channel(self) -> str:
        return self.template.channel


class Message(models.Model):
    """One message to one address, from a campaign or sent to one person by staff."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # A worker holds it (`lease_until`) but has not called the provider: safe to retake.
        CLAIMED = "claimed", _("Queued")
        # The provider is being called: if the worker dies now, whether it went is unknown.
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        # Its worker died while calling the provider: never sent again by itself (that could
        # send it twice); the provider's status callback may still settle it.
        UNKNOWN = "unknown", _("Unknown: the sending was interrupted")
        CANCELLED = "cancelled", _("Not sent")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, null=True, blank=True, related_name="+")
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, null=True, blank=True, related_name="messages"
    )
    individual = models.ForeignKey(
        Individual, models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("to"), max_length=254)
    language = models.CharField(_("language"), max_length=10, default="es")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # Emptied once sent when the message is about a restricted case (GBV): only that it was
    # sent is kept.
    body = EncryptedTextField(_("text"), blank=True, default="")
    body_kept = models.BooleanField(default=True)
    # Set for a message about a restricted case: its audit events follow the case's office.
    restricted_office = models.ForeignKey(
        Office, models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default="queued")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True, db_index=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # A campaign writes to a person once.
            models.UniqueConstraint(
                fields=["campaign", "individual"],
                condition=models.Q(campaign__isnull=False),
                name="campaign_message_once",
            ),
        ]
        indexes = [
            # The worker's claim: a campaign's due messages.
            models.Index(
                fields=["campaign", "next_attempt_at"],
                name="message_due",
                condition=models.Q(state="queued"),
            ),
            models.Index(
                fields=["lease_until"],
                name="message_held",
                condition=models.Q(state__in=["claimed", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.uuid}"

    @property
    def audit_restricted_office_id(self) -> int | None:
        return self.restricted_office_id


class OptOut(models.Model):
    """This address wants no more campaign messages on this channel (instance-wide)."""

    class Source(models.TextChoices):
        REPLY = "reply", _("Replied STOP")
        LINK = "link", _("Link in an e-mail")
        STAFF = "staff", _("Asked staff")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    source = models.CharField(_("how"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="opt_out_once")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"


class InboundMessage(models.Model):
    """A message a gateway passed to our webhook: an opt-out, or feedback."""

    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("from"), max_length=254)
    text = EncryptedTextField(_("text"))
    provider_ref = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    opted_out = models.BooleanField(default=False)
    feedback_entry_uuid = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("message received")
        verbose_name_plural = _("messages received")
        constraints = [
            # A gateway that retries its webhook gets the same entry back.
            models.UniqueConstraint(
                fields=["channel", "provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="inbound_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.received_at:%Y-%m-%d %H:%M}"
