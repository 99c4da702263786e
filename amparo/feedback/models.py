"""Feedback and complaints (accountability to affected populations; the ethics line; PSEA).

One register for what arrives through the public page and what staff record from other
channels. Sensitive categories (sexual exploitation and abuse, fraud, staff misconduct) are
read by the organization's ethics focal points alone (`feedback.psea`), and events about them
are kept out of everyone else's audit log (`audit_audience`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.crypto import EncryptedTextField
from amparo.core.models import Office, Organization
from amparo.registry.models import Individual


class Category(models.TextChoices):
    QUESTION = "question", _("Question")
    SUGGESTION = "suggestion", _("Suggestion")
    THANKS = "thanks", _("Thanks")
    COMPLAINT = "complaint", _("Complaint about a service")
    FRAUD = "fraud", _("Fraud, or someone charging for free services")
    SEA = "sexual_exploitation_abuse", _("Sexual exploitation or abuse")
    STAFF_MISCONDUCT = "staff_misconduct", _("Staff misconduct")


SENSITIVE = frozenset({Category.FRAUD, Category.SEA, Category.STAFF_MISCONDUCT})

# Days to answer, by category, unless the organization set its own (`ResponseDeadline`). The
# standards (CHS commitment 5, the IASC PSEA guidance) say "timely" and set no figure: these
# are Amparo's suggestion — sensitive reports within a day.
DEFAULT_DAYS = {
    Category.QUESTION: 7,
    Category.SUGGESTION: 14,
    Category.THANKS: 14,
    Category.COMPLAINT: 7,
    Category.FRAUD: 1,
    Category.SEA: 1,
    Category.STAFF_MISCONDUCT: 1,
}

_SENSITIVE_CODES = sorted(c.value for c in SENSITIVE)
_ORDINARY_CODES = sorted(c.value for c in Category if c not in SENSITIVE)


class Channel(models.TextChoices):
    WEB = "web", _("Public page")
    HOTLINE = "hotline", _("Hotline")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    COMMUNITY_MEETING = "community_meeting", _("Community meeting")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")
    UNKNOWN = "unknown", _("Could not ask")


class FeedbackEntry(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    # Where it was served or received; None when someone on the public page did not say.
    office = models.ForeignKey(
        Office, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("office")
    )
    reference = models.CharField(_("reference"), max_length=40)
    # HMAC-SHA256 of the tracking code given to the person: the code itself is never stored.
    tracking_digest = models.CharField(max_length=64, unique=True, editable=False)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    sensitive = models.BooleanField(_("sensitive"), default=False, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    text = EncryptedTextField(_("what the person said"))
    contact = EncryptedTextField(_("contact details"), blank=True, default="")
    language = models.CharField(_("language"), max_length=10, blank=True)
    individual = models.ForeignKey(
        Individual,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered person"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("answer due by"))
    public_reply = EncryptedTextField(_("public reply"), blank=True, default="")
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"))
    # None when it came through the public page.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("feedback entry")
        verbose_name_plural = _("feedback entries")
        constraints = [
            # References are numbered per organization (`core.references`).
            models.UniqueConstraint(
                fields=["organization", "reference"], name="feedback_reference_once"
            ),
            models.CheckConstraint(
                condition=models.Q(sensitive=True, category__in=_SENSITIVE_CODES)
                | models.Q(sensitive=False, category__in=_ORDINARY_CODES),
                name="feedback_sensitive_follows_category",
            ),
        ]
        indexes = [
            # The overdue list: open entries by due date.
            models.Index(
                fields=["organization", "due_on"],
                name="feedback_open_by_due",
                condition=~models.Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_audience(self) -> str:
        """Who may read audit events about this entry: the ethics focal points alone when it
        is sensitive (`core.audit`)."""
        return "psea" if self.sensitive else ""


class FeedbackNote(models.Model):
    """An internal note on an entry (encrypted; never shown on the public page)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(FeedbackEntry, models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("feedback note")
        verbose_name_plural = _("feedback notes")

    def __str__(self) -> str:
        return f"{self.entry} · {self.created_at:%Y-%m-%d}"

    @property
    def organization_id(self) -> int:
        return self.entry.organization_id

    @property
    def audit_audience(self) -> str:
        return self.entry.audit_audience


class ResponseDeadline(models.Model):
    """An organization's own number of days to answer a category (instead of `DEFAULT_DAYS`)."""

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="+")
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    days = models.PositiveSmallIntegerField(_("days to answer"))

    class Meta:
        verbose_name = _("response deadline")
        verbose_name_plural = _("response deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category"], name="one_deadline_per_category"
            ),
            models.CheckConstraint(
                condition=models.Q(days__gte=1, days__lte=365), name="deadline_days_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.days}"
