"""Assistance: projects, distribution cycles, entitlements and their one delivery.

A cycle gives each targeted household one entitlement; an entitlement is delivered at most
once, which the database itself guarantees: one delivery per entitlement that is not reversed
(a partial unique index). A reversed delivery stays in the ledger; the entitlement is pending again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.crypto import EncryptedTextField
from amparo.core.models import Area, Office, Organization
from amparo.registry.models import Household, Individual


class Sector(models.TextChoices):
    BASIC_NEEDS = "basic_needs", _("Basic needs / cash")
    FOOD = "food", _("Food")
    SHELTER_NFI = "shelter_nfi", _("Shelter and non-food items")
    WASH = "wash", _("Water, sanitation and hygiene")
    LIVELIHOODS = "livelihoods", _("Livelihoods")
    PROTECTION = "protection", _("Protection")
    HEALTH = "health", _("Health")
    MHPSS = "mhpss", _("Mental health and psychosocial support")


class AssistanceType(models.TextChoices):
    MULTIPURPOSE_CASH = "mpc", _("Multi-purpose cash")
    FOOD_KIT = "food_kit", _("Food kit")
    HYGIENE_KIT = "hygiene_kit", _("Hygiene kit")
    NFI_KIT = "nfi_kit", _("Non-food item kit")
    BUSINESS_GRANT = "business_grant", _("Small business grant")
    TRANSPORT = "transport", _("Transport support")


CASH_TYPES = frozenset(
    {AssistanceType.MULTIPURPOSE_CASH, AssistanceType.BUSINESS_GRANT, AssistanceType.TRANSPORT}
)


class Project(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    donor = models.CharField(_("donor"), max_length=120, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    offices = models.ManyToManyField(Office, related_name="+", verbose_name=_("offices"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    currency = models.CharField(_("budget currency"), max_length=3, default="USD")
    target_households = models.PositiveIntegerField(_("target households"), null=True, blank=True)
    target_items = models.PositiveIntegerField(_("target items"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="project_code_per_org"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="project_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Cycle(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, models.PROTECT, related_name="cycles", verbose_name=_("project")
    )
    office = models.ForeignKey(Office, models.PROTECT, related_name="+", verbose_name=_("office"))
    name = models.CharField(_("name"), max_length=120)
    assistance_type = models.CharField(
        _("assistance type"), max_length=20, choices=AssistanceType.choices
    )
    place = models.CharField(_("distribution point"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("area")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    amount = models.DecimalField(
        _("amount or quantity per household"), max_digits=12, decimal_places=2
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("distribution cycle")
        verbose_name_plural = _("distribution cycles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="cycle_dates_in_order",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cycle_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Entitlement(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    # The cycle's office, kept here so that scoping a list of thousands needs no join.
    office = models.ForeignKey(Office, models.PROTECT, related_name="+")
    cycle = models.ForeignKey(
        Cycle, models.PROTECT, related_name="entitlements", verbose_name=_("cycle")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="+", verbose_name=_("household")
    )
    amount = models.DecimalField(_("amount or quantity"), max_digits=12, decimal_places=2)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["household__reference", "id"]
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "household"], name="one_entitlement_per_household_and_cycle"
            ),
        ]
        indexes = [models.Index(fields=["cycle", "state"], name="entitlement_cycle_state")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.household}"

    @property
    def delivery(self) -> Delivery | None:
        """The current delivery (the one not reversed), or None. Lists prefetch it into
        `current_deliveries` (`queries.with_current_delivery`); otherwise one query."""
        current = getattr(self, "current_deliveries", None)
        if current is None:
            current = list(
                self.deliveries.filter(reversed_at__isnull=True).select_related("delivered_by")
            )
        return current[0] if current else None


class Delivery(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    # One current (not reversed) delivery per entitlement, enforced by the database whatever
    # the code does: see the constraint `one_current_delivery_per_entitlement`.
    entitlement = models.ForeignKey(
        Entitlement, models.PROTECT, related_name="deliveries", verbose_name=_("entitlement")
    )
    delivered_at = models.DateTimeField(_("delivered at"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("delivered by")
    )
    collected_by = models.ForeignKey(
        Individual,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collected by"),
    )
    collected_by_alternate = models.CharField(
        _("collected by (authorised alternate)"), max_length=200, blank=True
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    # A delivery recorded by mistake (wrong household, never handed over) is reversed, never
    # deleted: it stays in the ledger and the entitlement is pending again.
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reversed by"),
    )
    reverse_reason = models.CharField(_("reason for reversing"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["delivered_by", "delivered_at"], name="delivery_officer_time")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement"],
                condition=models.Q(reversed_at__isnull=True),
                name="one_current_delivery_per_entitlement",
            ),
            models.UniqueConstraint(
                fields=["delivered_by", "idempotency_key"],
                name="delivery_idempotency_key_per_officer",
            ),
            models.CheckConstraint(
                condition=models.Q(collected_by__isnull=False)
                | ~models.Q(collected_by_alternate=""),
                name="delivery_collected_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return str(self.entitlement)


class Card(models.Model):
    """A household's beneficiary card: a QR code and a printed number carrying only an opaque
    token, never personal data. A lost card is replaced: the old token is revoked and refused,
    the household gets a new one. One card in use per household, enforced by the database."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="+", verbose_name=_("household")
    )
    # 12 symbols of Crockford's base 32 (60 random bits), normalised: see `cards.normalise`.
    token = models.CharField(_("card number"), max_length=12, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("beneficiary card")
        verbose_name_plural = _("beneficiary cards")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_card_in_use_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.display_token

    @property
    def display_token(self) -> str:
        """The number as printed: three groups of four."""
        return "-".join(self.token[i : i + 4] for i in range(0, len(self.token), 4))


# Post-distribution monitoring (PDM): a reproducible random sample of a cycle's delivered
# households, and one short survey per sampled household.


class MonitoringSample(models.Model):
    """The households drawn for a cycle's post-distribution monitoring. The draw is
    reproducible: the same seed over the same delivered entitlements draws the same ones."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+")
    cycle = models.OneToOneField(
        Cycle, models.PROTECT, related_name="monitoring_sample", verbose_name=_("cycle")
    )
    seed = models.BigIntegerField(_("seed"))
    size = models.PositiveIntegerField(_("sample size"))
    # Of how many delivered households it was drawn.
    population = models.PositiveIntegerField(_("delivered households"))
    by_day = models.BooleanField(_("stratified by distribution day"), default=True)
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("drawn by")
    )

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("monitoring sample")
        verbose_name_plural = _("monitoring samples")

    def __str__(self) -> str:
        return str(self.cycle)


class CashUse(models.TextChoices):
    FOOD = "food", _("Food")
    RENT = "rent", _("Rent or shelter")
    HEALTH = "health", _("Health and medicines")
    EDUCATION = "education", _("Education")
    HYGIENE = "hygiene", _("Hygiene")
    TRANSPORT = "transport", _("Transport")
    DEBT = "debt", _("Paying debts")
    LIVELIHOOD = "livelihood", _("Work or a small business")
    SAVED = "saved", _("Saved or not used yet")
    OTHER = "other", _("Other")


class Problem(models.TextChoices):
    LONG_WAIT = "long_wait", _("Long wait")
    INCOMPLETE = "incomplete", _("Less than announced, or incomplete kit")
    QUALITY = "quality", _("Poor quality")
    DISTANCE = "distance", _("Point too far or hard to reach")
    INFORMATION = "information", _("Unclear information")
    ASKED_FOR_SOMETHING = "asked", _("Asked for money or favours")
    DISRESPECT = "disrespect", _("Disrespectful treatment")
    OTHER = "other", _("Other")


class MonitoringSurvey(models.Model):
    """One sampled household's post-distribution survey: empty until answered."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+")
    sample = models.ForeignKey(
        MonitoringSample, models.PROTECT, related_name="surveys", verbose_name=_("sample")
    )
    entitlement = models.ForeignKey(
        Entitlement, models.PROTECT, related_name="+", verbose_name=_("entitlement")
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("surveyed by"),
    )
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1 to 5)"), null=True)
    uses = models.JSONField(_("how the assistance was used"), default=list, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_details = EncryptedTextField(_("problems, in their words"), blank=True)
    felt_safe = models.BooleanField(_("felt safe going to and from the point"), null=True)
    complaint = EncryptedTextField(_("complaint"), blank=True)

    class Meta:
        ordering = ["sample", "id"]
        verbose_name = _("monitoring survey")
        verbose_name_plural = _("monitoring surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "entitlement"], name="one_survey_per_sampled_entitlement"
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="survey_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return str(self.entitlement)
