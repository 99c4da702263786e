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

from amparo.activities.models import ActivityType
from amparo.activities.models import Sector as ServiceSector
from amparo.cases.models import ClosureReason
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
    # A kit cycle's stock: opening it dispatches the kits from here (stock.dispatch_for_cycle).
    warehouse = models.ForeignKey(
        "Warehouse",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    kit_type = models.ForeignKey(
        "KitType",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kit type"),
    )
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
        # Not collected when its cycle closed (`close_cycle`): no longer "to deliver".
        ABSENT = "absent", _("Absent")

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
        indexes = [
            models.Index(fields=["cycle", "state"], name="entitlement_cycle_state"),
            # A distribution officer's list of what is left to deliver, in the order the
            # entitlements were created (`GET /api/v1/entitlements/?status=pending`): the
            # first page reads 50 index entries, however many are pending.
            models.Index(
                fields=["office", "id"],
                name="entitlement_pending_by_office",
                condition=models.Q(state="pending"),
            ),
        ]

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
            models.Index(fields=["delivered_by", "delivered_at"], name="delivery_officer_time"),
            # Reports count a period's deliveries (`reports.queries`).
            models.Index(fields=["delivered_at"], name="delivery_time"),
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


class PaymentListFormat(models.Model):
    """How one bank or mobile-money provider wants its payment list, and how its
    reconciliation file reads: data an office manager edits, not code.

    `columns` is the ordered list of the export's columns, each `{"header": …, "source": …}`
    (`source` one of `Source`; `"value"` too for a constant). `reconciliation` maps the fields
    of a reconciliation row (`RECONCILIATION_FIELDS`) to the provider's column headers, and
    `status_values` maps each outcome (paid, failed, unclaimed) to the words the provider
    writes for it. Both are checked by `actions.payments.check_format`."""

    class FileType(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel workbook (XLSX)")

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", _("UTF-8")
        WINDOWS = "cp1252", _("Windows (cp1252)")

    class Source(models.TextChoices):
        PAYMENT_REFERENCE = "payment_reference", _("Payment reference")
        HOUSEHOLD_REFERENCE = "household_reference", _("Household reference")
        PAYEE_NAME = "payee_name", _("Payee's name")
        PAYEE_DOCUMENT_TYPE = "payee_document_type", _("Payee's document type")
        PAYEE_DOCUMENT_NUMBER = "payee_document_number", _("Payee's document number")
        PAYEE_PHONE = "payee_phone", _("Payee's phone")
        AMOUNT = "amount", _("Amount")
        CURRENCY = "currency", _("Currency")
        CYCLE_NAME = "cycle_name", _("Cycle name")
        CONSTANT = "constant", _("A constant value")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    file_type = models.CharField(
        _("file type"), max_length=4, choices=FileType.choices, default=FileType.CSV
    )
    delimiter = models.CharField(_("delimiter"), max_length=1, default=",")
    encoding = models.CharField(
        _("encoding"), max_length=8, choices=Encoding.choices, default=Encoding.UTF8
    )
    columns = models.JSONField(_("columns"), default=list)
    reconciliation = models.JSONField(_("reconciliation columns"), default=dict)
    status_values = models.JSONField(_("status values"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("payment list format")
        verbose_name_plural = _("payment list formats")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="payment_format_name_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PaymentBatch(models.Model):
    """One payment list sent to a provider: the payments of a cash cycle's pending
    entitlements at the time it was generated."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+")
    cycle = models.ForeignKey(
        Cycle, models.PROTECT, related_name="payment_batches", verbose_name=_("cycle")
    )
    format = models.ForeignKey(
        PaymentListFormat, models.PROTECT, related_name="+", verbose_name=_("format")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment list")
        verbose_name_plural = _("payment lists")

    def __str__(self) -> str:
        return f"{self.cycle} · {self.format}"


class Payment(models.Model):
    """One entitlement paid through a provider: sent, then paid, failed or unclaimed as the
    provider's reconciliation file says. A paid payment is also the entitlement's delivery.

    An entitlement has at most one payment that is sent or paid (a partial unique index): it
    is never in two open lists, nor paid twice. A failed or unclaimed one may be sent again in
    a later list."""

    class State(models.TextChoices):
        SENT = "sent", _("Sent")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        UNCLAIMED = "unclaimed", _("Unclaimed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        PaymentBatch, models.PROTECT, related_name="payments", verbose_name=_("payment list")
    )
    entitlement = models.ForeignKey(
        Entitlement, models.PROTECT, related_name="payments", verbose_name=_("entitlement")
    )
    payee = models.ForeignKey(
        Individual, models.PROTECT, null=True, related_name="+", verbose_name=_("payee")
    )
    reference = models.CharField(_("payment reference"), max_length=32, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SENT)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    transaction_id = models.CharField(_("provider's transaction id"), max_length=80, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement"],
                condition=models.Q(state__in=["sent", "paid"]),
                name="one_open_payment_per_entitlement",
            ),
        ]
        indexes = [models.Index(fields=["batch", "state"], name="payment_batch_state")]

    def __str__(self) -> str:
        return self.reference


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


# Stock ----------------------------------------------------------------------------------------

KIT_TYPES = frozenset({AssistanceType.FOOD_KIT, AssistanceType.HYGIENE_KIT, AssistanceType.NFI_KIT})


class Warehouse(models.Model):
    """Where an office keeps its kits."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+", verbose_name=_("office"))
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["office__name", "name"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="warehouse_name_per_office"),
        ]

    def __str__(self) -> str:
        return self.name


class KitType(models.Model):
    """A kind of kit (a food kit of a given composition, say) and what is in it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    assistance_type = models.CharField(
        _("assistance type"),
        max_length=20,
        choices=[(t.value, t.label) for t in AssistanceType if t in KIT_TYPES],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kit type")
        verbose_name_plural = _("kit types")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="kit_type_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class KitItem(models.Model):
    """One line of a kit's contents: "rice, 5 kg"."""

    kit_type = models.ForeignKey(KitType, models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("item"), max_length=120)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30, blank=True)

    class Meta:
        ordering = ["kit_type", "position", "pk"]
        verbose_name = _("kit item")
        verbose_name_plural = _("kit items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="kit_item_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.quantity.normalize():f} {self.unit}".strip()


class StockBalance(models.Model):
    """How many kits of a type a warehouse holds now: the sum of its ledger, never below zero
    (the database refuses it, whatever the code does)."""

    warehouse = models.ForeignKey(Warehouse, models.PROTECT, related_name="balances")
    kit_type = models.ForeignKey(KitType, models.PROTECT, related_name="+")
    quantity = models.IntegerField(_("quantity"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["warehouse", "kit_type__name"]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "kit_type"], name="one_balance_per_warehouse_and_kit"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="stock_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse} · {self.kit_type}: {self.quantity}"


class StockMovement(models.Model):
    """One line of a warehouse's ledger, never changed once written. `change` is signed: what
    came in is positive, what went out negative; a balance is the sum of its movements."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        DISPATCH = "dispatch", _("Dispatch to a cycle")
        RETURN = "return", _("Return from a cycle")
        TRANSFER_OUT = "transfer_out", _("Transfer out")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        LOSS = "loss", _("Loss or damage")
        ADJUSTMENT = "adjustment", _("Adjustment after a count")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(
        Warehouse, models.PROTECT, related_name="movements", verbose_name=_("warehouse")
    )
    kit_type = models.ForeignKey(
        KitType, models.PROTECT, related_name="+", verbose_name=_("kit type")
    )
    kind = models.CharField(_("movement"), max_length=12, choices=Kind.choices)
    change = models.IntegerField(_("change"))
    balance_after = models.IntegerField(_("balance after"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    cycle = models.ForeignKey(
        Cycle,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("cycle"),
    )
    # The other warehouse of a transfer.
    counterpart = models.ForeignKey(
        Warehouse,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("other warehouse"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["receipt", "return", "transfer_in"], change__gt=0)
                    | models.Q(kind__in=["dispatch", "transfer_out", "loss"], change__lt=0)
                    | (models.Q(kind="adjustment") & ~models.Q(change=0))
                ),
                name="stock_movement_sign_follows_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0), name="stock_movement_balance_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["warehouse", "-recorded_at"], name="stock_movement_ledger"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.change:+d}"


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


class IndicatorMeasure(models.TextChoices):
    HOUSEHOLDS = "households", _("Households reached")
    PEOPLE = "people", _("People reached")
    KITS = "kits", _("Kits delivered")
    CASH = "cash", _("Cash delivered (amount)")
    # Counted by the reports (`reports.queries_projects`) from what the project's offices did:
    SECTOR = "sector", _("People reached in a sector")
    ACTIVITY = "activity", _("Participants in a service or activity")
    CASES_CLOSED = "cases_closed", _("Cases closed with an outcome")
    OTHER = "other", _("Other")


# What each measure needs said (the field an indicator of it must fill): the query behind an
# indicator is data, its measure and this one choice.
MEASURE_NEEDS: dict[str, str] = {
    IndicatorMeasure.SECTOR: "sector",
    IndicatorMeasure.ACTIVITY: "activity_type",
    IndicatorMeasure.CASES_CLOSED: "closure_reason",
}


# The measures assistance computes itself from its deliveries (`queries_indicators`).
COMPUTED_MEASURES = frozenset(
    {
        IndicatorMeasure.HOUSEHOLDS,
        IndicatorMeasure.PEOPLE,
        IndicatorMeasure.KITS,
        IndicatorMeasure.CASH,
    }
)


class ProjectIndicator(models.Model):
    """One of a project's targets (2,400 families with cash; 14,000 kits) that reports compare
    against. A cash target is an amount in the project's currency."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, models.CASCADE, related_name="indicators", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=120)
    measure = models.CharField(_("measure"), max_length=12, choices=IndicatorMeasure.choices)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    # The one choice its measure needs (`MEASURE_NEEDS`), blank for the others.
    sector = models.CharField(
        _("sector"),
        max_length=20,
        choices=[*Sector.choices, *ServiceSector.choices],
        blank=True,
    )
    activity_type = models.CharField(
        _("service or activity"), max_length=20, choices=ActivityType.choices, blank=True
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "created_at", "id"]
        verbose_name = _("project indicator")
        verbose_name_plural = _("project indicators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target__gt=0), name="project_indicator_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name
