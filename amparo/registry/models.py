from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from amparo.core.models import Area, Office, Organization


class Household(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        MOVED = "moved", _("Moved")
        RESETTLED = "resettled", _("Resettled")
        RETURNED = "returned", _("Returned")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(
        Office, models.PROTECT, related_name="households", verbose_name=_("office")
    )
    reference = models.CharField(_("reference"), max_length=32)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("area")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    # Where an imported household came from (file row key), so re-imports add nothing twice.
    source_ref = models.CharField(_("source reference"), max_length=80, blank=True)
    duplicate_reason = models.CharField(
        _("reason for registering despite possible duplicates"), max_length=300, blank=True
    )
    registered_on = models.DateField(_("registration date"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="household_reference_per_org"
            ),
            models.UniqueConstraint(
                fields=["organization", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="household_source_ref_per_org",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Difficulty(models.TextChoices):
    """Washington Group answer scale."""

    NONE = "none", _("No difficulty")
    SOME = "some", _("Some difficulty")
    A_LOT = "a_lot", _("A lot of difficulty")
    CANNOT = "cannot", _("Cannot do at all")


WG_FIELDS = (
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
)


class LiveIndividuals(models.Manager["Individual"]):
    """Every read of people starts here: a record merged into another (a tombstone) is gone
    from lists, searches, counts and households; `Individual.with_merged` still has it."""

    def get_queryset(self) -> models.QuerySet[Individual]:
        return super().get_queryset().filter(merged_into__isnull=True)


class Individual(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Other / not stated")

    class PopulationGroup(models.TextChoices):
        REFUGEE = "refugee", _("Refugee")
        ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
        MIGRANT_REGULAR = "migrant_regular", _("Migrant (regular)")
        MIGRANT_IRREGULAR = "migrant_irregular", _("Migrant (irregular)")
        RETURNEE = "returnee", _("Returnee")
        IDP = "idp", _("Internally displaced person")
        HOST_COMMUNITY = "host_community", _("Host community")

    class Relationship(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse or partner")
        CHILD = "child", _("Son or daughter")
        PARENT = "parent", _("Father or mother")
        SIBLING = "sibling", _("Brother or sister")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER_RELATIVE = "other_relative", _("Other relative")
        NON_RELATIVE = "non_relative", _("Not related")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="members", verbose_name=_("household")
    )
    is_head = models.BooleanField(_("head of household"), default=False)
    relationship = models.CharField(
        _("relationship to the head"), max_length=16, choices=Relationship.choices
    )
    given_names = models.CharField(_("given names"), max_length=100)
    first_surname = models.CharField(_("first surname"), max_length=100)
    second_surname = models.CharField(_("second surname"), max_length=100, blank=True)
    other_names = models.CharField(_("other names or aliases"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    dob_estimated = models.BooleanField(_("date of birth estimated"), default=False)
    nationality = models.CharField(_("nationality"), max_length=2)
    population_group = models.CharField(
        _("population group"), max_length=20, choices=PopulationGroup.choices
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Washington Group short set: difficulty seeing, hearing, walking, remembering,
    # self-care, communicating.
    wg_seeing = models.CharField(
        _("difficulty seeing"), max_length=8, blank=True, choices=Difficulty.choices
    )
    wg_hearing = models.CharField(
        _("difficulty hearing"), max_length=8, blank=True, choices=Difficulty.choices
    )
    wg_walking = models.CharField(
        _("difficulty walking or climbing steps"),
        max_length=8,
        blank=True,
        choices=Difficulty.choices,
    )
    wg_cognition = models.CharField(
        _("difficulty remembering or concentrating"),
        max_length=8,
        blank=True,
        choices=Difficulty.choices,
    )
    wg_selfcare = models.CharField(
        _("difficulty with self-care"), max_length=8, blank=True, choices=Difficulty.choices
    )
    wg_communication = models.CharField(
        _("difficulty communicating"), max_length=8, blank=True, choices=Difficulty.choices
    )
    specific_needs = models.JSONField(_("specific needs"), default=list, blank=True)
    contact_consent = models.BooleanField(_("agrees to be contacted"), default=False)
    data_sharing_consent = models.BooleanField(_("agrees to data sharing"), default=False)
    consent_purpose = models.CharField(_("consent purpose"), max_length=200, blank=True)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    # A tombstone: the record was found to be `merged_into`'s person and merged (dedup app);
    # it stays, so that its identifiers still resolve and the merge can be undone.
    merged_into = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    # Search keys, derived from the names on every save by the registry's actions. name_key
    # is indexed by word on PostgreSQL (0011) and by FTS5 trigrams on SQLite (0010).
    name_key = models.CharField(max_length=400, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveIndividuals()
    with_merged = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta:
        ordering = ["household", "-is_head", "date_of_birth"]
        verbose_name = _("individual")
        verbose_name_plural = _("individuals")
        indexes = [models.Index(fields=["date_of_birth"], name="individual_birth_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(is_head=True),
                name="one_head_per_household",
            ),
            models.CheckConstraint(
                condition=models.Q(is_head=False) | models.Q(relationship="head"),
                name="head_has_head_relationship",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)

    @property
    def age(self) -> int:
        """Completed years today."""
        today, born = timezone.localdate(), self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def choice_label(self) -> str:
        """How pickers list a person, so namesakes can be told apart: name, age, household."""
        age = ngettext("%(age)d year", "%(age)d years", self.age) % {"age": self.age}
        return f"{self.full_name} · {age} · {self.household.reference}"


class Document(models.Model):
    class Type(models.TextChoices):
        NATIONAL_ID = "national_id", _("National ID (cédula)")
        PASSPORT = "passport", _("Passport")
        REFUGEE_ID = "refugee_id", _("Refugee ID")
        ASYLUM_APPLICATION = "asylum_application", _("Asylum application")
        VISA = "visa", _("Visa or permit (VIRTE)")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        OTHER = "other", _("Other")

    individual = models.ForeignKey(Individual, models.CASCADE, related_name="documents")
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    number = models.CharField(_("number"), max_length=40)
    number_key = models.CharField(max_length=40, editable=False, db_index=True)
    issuing_country = models.CharField(_("issuing country"), max_length=2)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.number}"


SPECIFIC_NEEDS = {
    "woman_at_risk": _("Woman at risk"),
    "uasc": _("Unaccompanied or separated child"),
    "survivor_violence": _("Survivor of violence or torture"),
    "serious_medical": _("Serious medical condition"),
    "older_at_risk": _("Older person at risk"),
    "single_parent": _("Single parent"),
    "disability": _("Disability"),
    "trafficking_risk": _("At risk of trafficking or recruitment"),
}
# Needs that would reveal a restricted file: anyone registering may record them (to flag the
# person for the GBV team); only those who may read the office's restricted files see them.
RESTRICTED_NEEDS = frozenset({"survivor_violence"})


class ImportMapping(models.Model):
    """An organization's remembered column mapping for registry imports (our field → column)."""

    organization = models.OneToOneField(Organization, models.CASCADE, related_name="+")
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"import mapping of {self.organization_id}"


class NeedNotice(models.Model):
    """A restricted need (`RESTRICTED_NEEDS`: survivor of violence or torture) was recorded on
    a person by someone who cannot read the office's restricted files: the office's GBV team is
    told the person may need a GBV assessment, until one of them marks it followed up. One open
    notice per person and need. The person who recorded it is told only that the protection
    team will be told; the notice and its audit events are the GBV team's alone."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+")
    individual = models.ForeignKey(Individual, models.CASCADE, related_name="+")
    need = models.CharField(_("need"), max_length=32)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notice to the GBV team")
        verbose_name_plural = _("notices to the GBV team")
        constraints = [
            models.UniqueConstraint(
                fields=["individual", "need"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_need_notice_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"notice {self.pk} about {self.individual_id}"

    @property
    def audit_restricted_office_id(self) -> int:
        return self.office_id
