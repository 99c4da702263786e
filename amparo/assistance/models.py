"""Assistance: projects, distribution cycles, entitlements and their one delivery.

A cycle gives each targeted household one entitlement; an entitlement is delivered at most
once, which the database itself guarantees (`Delivery.entitlement` is one-to-one).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class AmountBasis(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    MEMBER = "member", _("Member")


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
    amount_basis = models.CharField(
        _("amount per"), max_length=10, choices=AmountBasis.choices, default=AmountBasis.HOUSEHOLD
    )
    member_cap = models.PositiveSmallIntegerField(
        _("counting at most this many members"), null=True, blank=True
    )
    rule = models.ForeignKey(
        "TargetingRule",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cycles",
        verbose_name=_("targeting rule"),
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
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


class Delivery(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    # One delivery per entitlement, enforced by the database whatever the code does.
    entitlement = models.OneToOneField(
        Entitlement, models.PROTECT, related_name="delivery", verbose_name=_("entitlement")
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
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


class TargetingRule(models.Model):
    """Who qualifies for a project's cycles: criteria on household and member fields, stored
    as data (`assistance.targeting` holds their schema, checks and the one query that
    evaluates them), reusable across cycles. A criterion without a weight must pass; criteria
    with a weight add it to the household's score, which must reach `threshold` when set."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, models.PROTECT, related_name="rules", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=120)
    # [{"field": "size", "op": "min", "value": 3, "weight": 2}, ...]: see targeting.FIELDS.
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    threshold = models.PositiveIntegerField(_("minimum score"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "name", "id"]
        verbose_name = _("targeting rule")
        verbose_name_plural = _("targeting rules")

    def __str__(self) -> str:
        return self.name


class TargetingException(models.Model):
    """A supervisor's decision, with a reason, to include a household the rule excludes or to
    exclude one it includes. Applied when a cycle opens with the rule."""

    class Kind(models.TextChoices):
        INCLUDE = "include", _("Include")
        EXCLUDE = "exclude", _("Exclude")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    rule = models.ForeignKey(
        TargetingRule, models.PROTECT, related_name="exceptions", verbose_name=_("targeting rule")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="+", verbose_name=_("household")
    )
    kind = models.CharField(_("decision"), max_length=8, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("targeting exception")
        verbose_name_plural = _("targeting exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "household"], name="one_exception_per_rule_and_household"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.household}"
