"""Services given: individual services and group activities, with their attendance. These are
what "people reached" reports count."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import Case
from amparo.core.models import Office, Organization
from amparo.registry.models import Individual


class ActivityType(models.TextChoices):
    # individual services
    LEGAL_COUNSELLING = "legal_counselling", _("Legal counselling session")
    RSD_SUPPORT = "rsd_support", _("Refugee status application support")
    DOCUMENTATION = "documentation", _("Documentation support")
    DETENTION_RELEASE = "detention_release", _("Detention release support")
    PFA = "pfa", _("Psychological first aid")
    INDIVIDUAL_THERAPY = "individual_therapy", _("Individual therapy session")
    COUPLE_THERAPY = "couple_therapy", _("Couple therapy session")
    FAMILY_THERAPY = "family_therapy", _("Family therapy session")
    # group activities
    SUPPORT_GROUP = "support_group", _("Support group")
    LITERACY = "literacy", _("Literacy workshop")
    PARENTING = "parenting", _("Parenting workshop")
    CHILD_RECREATION = "child_recreation", _("Recreation for children")
    TRAINING_OFFICIALS = "training_officials", _("Training of public officials")
    TRAINING_COMMUNITY = "training_community", _("Training of community members")


GROUP_TYPES = frozenset(
    {
        ActivityType.SUPPORT_GROUP,
        ActivityType.LITERACY,
        ActivityType.PARENTING,
        ActivityType.CHILD_RECREATION,
        ActivityType.TRAINING_OFFICIALS,
        ActivityType.TRAINING_COMMUNITY,
    }
)


class Sector(models.TextChoices):
    PROTECTION = "protection", _("Protection")
    GBV = "gbv", _("Gender-based violence")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    LEGAL = "legal", _("Legal")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    EDUCATION = "education", _("Education")
    LIVELIHOODS = "livelihoods", _("Livelihoods")
    INTEGRATION = "integration", _("Social integration")


class Activity(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+", verbose_name=_("office"))
    type = models.CharField(_("service or activity"), max_length=20, choices=ActivityType.choices)
    date = models.DateField(_("date"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("staff")
    )
    programme = models.CharField(_("programme or project"), max_length=120, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    # An individual service may belong to a case; then only the case team sees it.
    case = models.ForeignKey(Case, models.PROTECT, null=True, blank=True, related_name="activities")
    participants = models.ManyToManyField(
        Individual, related_name="activities", blank=True, verbose_name=_("registered participants")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service given")
        verbose_name_plural = _("services given")
        # Reports count a period's services: a month without reading the year.
        indexes = [models.Index(fields=["organization", "date"], name="activity_org_date")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.date}"

    @property
    def audit_restricted_office_id(self) -> int | None:
        return self.case.audit_restricted_office_id if self.case_id else None

    @property
    def is_group(self) -> bool:
        return self.type in GROUP_TYPES


class AgeBand(models.TextChoices):
    CHILD_0_5 = "0-5", _("0–5")
    CHILD_6_11 = "6-11", _("6–11")
    CHILD_12_17 = "12-17", _("12–17")
    ADULT_18_59 = "18-59", _("18–59")
    OLDER_60 = "60+", _("60 and over")


class Attendance(models.Model):
    """Participants counted by sex and age band, for people who are not registered."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")
        OTHER = "X", _("Other / not stated")

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="attendance")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("people"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "sex", "age_band"], name="attendance_cell_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.sex} {self.age_band} {self.count}"

    @property
    def audit_restricted_office_id(self) -> int | None:
        return self.activity.audit_restricted_office_id
