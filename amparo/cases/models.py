"""Protection cases: the file, its team, plan, follow-ups, notes, transfers and GBV incidents.

Narratives (summary, needs, goals, notes, follow-up notes, incident account) are encrypted at rest
with `EncryptedTextField`; list screens, exports and audit details never show them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.crypto import EncryptedTextField
from amparo.core.models import Area, Office, Organization
from amparo.registry.models import Household, Individual


class CaseType(models.TextChoices):
    PROTECTION = "protection", _("Protection")
    GBV = "gbv", _("Gender-based violence")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    LEGAL = "legal", _("Legal")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    TRAFFICKING = "trafficking", _("Trafficking in persons")
    RETURN = "return", _("Return and reintegration")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


HIGH_RISK = (RiskLevel.HIGH, RiskLevel.CRITICAL)


class CaseState(models.TextChoices):
    INTAKE = "intake", _("Intake")
    ASSESSMENT = "assessment", _("Assessment")
    CASE_PLAN = "case_plan", _("Case plan")
    IMPLEMENTATION = "implementation", _("Implementation and follow-up")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Case plan goals met")
    REFERRED = "referred", _("Transferred to another agency")
    MOVED = "moved", _("Person moved or left the country")
    NO_CONTACT = "no_contact", _("No contact for a long time")
    DECLINED = "declined", _("Person no longer wants the service")
    DECEASED = "deceased", _("Person died")
    OTHER = "other", _("Other")


class ServiceType(models.TextChoices):
    """Kinds of service: what a plan foresees and what the Care Route directory lists."""

    HEALTH = "health", _("Health or medical care")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support or mental health")
    POLICE = "police", _("Police protection or complaint")
    JUSTICE = "justice", _("Prosecution and justice")
    LEGAL = "legal", _("Legal assistance")
    SHELTER = "shelter", _("Safe shelter")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    DOCUMENTATION = "documentation", _("Documentation")
    EDUCATION = "education", _("Education")
    LIVELIHOODS = "livelihoods", _("Livelihoods and employment")
    BASIC_NEEDS = "basic_needs", _("Food, cash or basic needs")
    OTHER = "other", _("Other")


PLANNABLE_SERVICES = dict(ServiceType.choices)


class Case(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+", verbose_name=_("office"))
    reference = models.CharField(_("reference"), max_length=32)
    type = models.CharField(_("type"), max_length=20, choices=CaseType.choices)
    # GBV and PSEA files are readable only by the office's GBV team (see queries.py).
    restricted = models.BooleanField(_("restricted to the GBV team"), default=False)
    psea_related = models.BooleanField(_("related to sexual exploitation or abuse"), default=False)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.INTAKE
    )
    # None for a walk-in survivor who is not (yet) in the registry: who they are is kept in
    # the case's `SurvivorIdentity`, seen by the GBV team only.
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    individuals = models.ManyToManyField(
        Individual, related_name="cases", verbose_name=_("individuals")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("caseworker")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="+",
        blank=True,
        verbose_name=_("other team members"),
    )
    summary = EncryptedTextField(_("summary"), blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["office", "-opened_on", "-id"], name="case_office_opened")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="case_reference_per_org"
            ),
            models.CheckConstraint(
                condition=~models.Q(type="gbv") | models.Q(restricted=True),
                name="gbv_case_is_restricted",
            ),
            models.CheckConstraint(
                condition=~models.Q(psea_related=True) | models.Q(restricted=True),
                name="psea_case_is_restricted",
            ),
            models.CheckConstraint(
                condition=models.Q(household__isnull=False) | models.Q(restricted=True),
                name="walk_in_case_is_restricted",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.state == CaseState.CLOSED

    @property
    def is_walk_in(self) -> bool:
        """Opened for a survivor who is not in the registry (and still is not)."""
        return self.household_id is None

    @property
    def audit_restricted_office_id(self) -> int | None:
        """Audit events about a restricted file are readable only by this office's GBV team."""
        return self.office_id if self.restricted else None


class OfACase:
    """A record that hangs off a case: its audit events are as restricted as the case's (see
    `Case.audit_restricted_office_id`)."""

    case: "Case"

    @property
    def audit_restricted_office_id(self) -> int | None:
        return self.case.audit_restricted_office_id


class RegistryConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written (signed form)")
    GUARDIAN = "guardian", _("Given by a parent or guardian")


class SurvivorIdentity(OfACase, models.Model):
    """Who a walk-in survivor is, kept inside their restricted case (encrypted, read by the GBV
    team only) instead of the registry, until they agree to a registry record.

    `details` is JSON with the registry's identity fields (`registry.actions.IDENTITY_KEYS`).
    On registration it is emptied: the person's record is then the registry's, the case points
    at it, and this row keeps when and how the survivor agreed, and who registered them.
    """

    case = models.OneToOneField(Case, models.CASCADE, related_name="survivor")
    details = EncryptedTextField(_("identity"), blank=True)
    registry_consent_method = models.CharField(
        _("how consent to registration was given"),
        max_length=10,
        choices=RegistryConsentMethod.choices,
        blank=True,
    )
    registry_consent_date = models.DateField(_("date of consent to registration"), null=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("walk-in survivor's identity")
        verbose_name_plural = _("walk-in survivors' identities")

    def __str__(self) -> str:
        return f"survivor of {self.case}"


class GBVTeamMember(models.Model):
    """Who may read the GBV and PSEA files of an office. Administrators manage the list; being
    an administrator does not put anyone on it."""

    office = models.ForeignKey(Office, models.CASCADE, related_name="gbv_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="gbv_teams", verbose_name=_("user")
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("GBV team member")
        verbose_name_plural = _("GBV team members")
        constraints = [
            models.UniqueConstraint(fields=["office", "user"], name="gbv_team_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.user}"


class Approval(OfACase, models.Model):
    """A request for a supervisor's decision: closing a case, or a plan of a high-risk case."""

    class Kind(models.TextChoices):
        CLOSURE = "closure", _("Closure")
        PLAN = "plan", _("Case plan")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for a supervisor")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Returned to the caseworker")

    case = models.ForeignKey(Case, models.CASCADE, related_name="approvals")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    closure_reason = models.CharField(
        _("closure reason"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = EncryptedTextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(decision="pending"),
                name="one_pending_approval_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.decision}"


class CasePlan(OfACase, models.Model):
    """Assessment and plan: needs identified, goals, services planned, and actions (below)."""

    case = models.OneToOneField(Case, models.CASCADE, related_name="plan")
    needs = EncryptedTextField(_("needs identified"), blank=True)
    goals = EncryptedTextField(_("goals"), blank=True)
    services_planned = models.JSONField(_("services planned"), default=list, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"plan of {self.case}"


class PlanAction(models.Model):
    plan = models.ForeignKey(CasePlan, models.CASCADE, related_name="actions")
    description = EncryptedTextField(_("action"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"action {self.pk} of {self.plan}"

    @property
    def audit_restricted_office_id(self) -> int | None:
        return self.plan.case.audit_restricted_office_id


class FollowUp(OfACase, models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        SESSION = "session", _("Session")

    case = models.ForeignKey(Case, models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    next_date = models.DateField(_("next follow-up"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        # The overdue lists read each case's latest follow-up.
        indexes = [models.Index(fields=["case", "-date", "-id"], name="follow_up_latest")]

    def __str__(self) -> str:
        return f"follow-up {self.pk} of {self.case}"


class CaseNote(OfACase, models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note {self.pk} of {self.case}"


class Transfer(OfACase, models.Model):
    """A change of caseworker or office; the trail of who held the case stays."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="transfers")
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    from_office = models.ForeignKey(Office, models.PROTECT, related_name="+")
    to_office = models.ForeignKey(Office, models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"transfer {self.pk} of {self.case}"


class IncidentType(models.TextChoices):
    """The six GBVIMS core incident types."""

    RAPE = "rape", _("Rape")
    SEXUAL_ASSAULT = "sexual_assault", _("Sexual assault")
    PHYSICAL_ASSAULT = "physical_assault", _("Physical assault")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    DENIAL = "denial", _("Denial of resources, opportunities or services")
    PSYCHOLOGICAL = "psychological", _("Psychological or emotional abuse")


class IncidentContext(models.TextChoices):
    """The IRF's context questions, asked together: several may apply to one incident."""

    INTIMATE_PARTNER = "intimate_partner", _("Intimate partner violence")
    CHILD_SEXUAL_ABUSE = "child_sexual_abuse", _("Child sexual abuse")
    EARLY_MARRIAGE = "early_marriage", _("Early marriage")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Possible sexual exploitation")
    TRAFFICKING = "trafficking", _("Possible trafficking")
    HARMFUL_PRACTICE = "harmful_practice", _("Harmful traditional practice")
    TRANSACTIONAL = "transactional", _("Money, goods or services exchanged or promised")
    ABDUCTION = "abduction", _("Abduction or kidnapping")
    ARMED_CONFLICT = "armed_conflict", _("During armed conflict or by armed actors")
    NONE = "none", _("None of these")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class DisplacementStage(models.TextChoices):
    """GBVIMS: stage of displacement at the time of the incident."""

    NOT_DISPLACED = "not_displaced", _("Not displaced, home community")
    PRE_DISPLACEMENT = "pre_displacement", _("Before displacement")
    DURING_FLIGHT = "during_flight", _("During flight")
    DURING_REFUGE = "during_refuge", _("During refuge (in the host country or place)")
    RETURN_TRANSIT = "return_transit", _("During return or transit")
    POST_DISPLACEMENT = "post_displacement", _("After displacement")


class PlaceType(models.TextChoices):
    """GBVIMS: type of place where the incident took place."""

    BUSH_FOREST = "bush_forest", _("Bush or forest")
    GARDEN_FIELD = "garden_field", _("Garden or cultivated field")
    SCHOOL = "school", _("School")
    ROAD = "road", _("Road")
    SURVIVOR_HOME = "survivor_home", _("Survivor's home")
    PERPETRATOR_HOME = "perpetrator_home", _("Perpetrator's home")
    MARKET = "market", _("Market")
    HEALTH_FACILITY = "health_facility", _("Health facility")
    RIVERSIDE_BEACH = "riverside_beach", _("Riverside or beach")
    LATRINE = "latrine", _("Latrine or washing place")
    WORKPLACE = "workplace", _("Workplace or farm")
    LODGING = "lodging", _("Guest house, hotel or shelter")
    ENTERTAINMENT = "entertainment", _("Bar or entertainment place")
    BORDER_CROSSING = "border_crossing", _("Border crossing or informal crossing")
    OTHER = "other", _("Other")


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("Morning (sunrise to noon)")
    AFTERNOON = "afternoon", _("Afternoon (noon to sunset)")
    NIGHT = "night", _("Evening or night (sunset to sunrise)")
    UNKNOWN = "unknown", _("Unknown")


class PerpetratorOccupation(models.TextChoices):
    """The IRF leaves this list to each country's GBVIMS; these are the usual answers."""

    UNEMPLOYED = "unemployed", _("Unemployed")
    ARMED_FORCES = "armed_forces", _("Armed forces or police")
    ARMED_GROUP = "armed_group", _("Armed group")
    BUSINESS = "business", _("Business owner, trader or salesman")
    FARMER_FISHER = "farmer_fisher", _("Farmer or fisherman")
    DRIVER = "driver", _("Driver or transporter")
    TEACHER = "teacher", _("Teacher")
    RELIGIOUS_LEADER = "religious_leader", _("Religious leader")
    COMMUNITY_LEADER = "community_leader", _("Community leader")
    PUBLIC_OFFICIAL = "public_official", _("Public official")
    HUMANITARIAN = "humanitarian", _("Humanitarian or development worker")
    HEALTH_WORKER = "health_worker", _("Health worker")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class MaritalStatus(models.TextChoices):
    """GBVIMS: the survivor's civil or marital status."""

    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married or living together")
    SEPARATED = "separated", _("Divorced or separated")
    WIDOWED = "widowed", _("Widowed")
    UNKNOWN = "unknown", _("Unknown")


class Ethnicity(models.TextChoices):
    """Self-identification as Ecuador's census (INEC) asks it; the IRF leaves the list to each
    country."""

    INDIGENOUS = "indigenous", _("Indigenous")
    AFRO_ECUADORIAN = "afro_ecuadorian", _("Afro-Ecuadorian or Afro-descendant")
    BLACK = "black", _("Black")
    MULATTO = "mulatto", _("Mulatto")
    MONTUBIO = "montubio", _("Montubio")
    MESTIZO = "mestizo", _("Mestizo")
    WHITE = "white", _("White")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not asked or not answered")


class ReportedTo(models.TextChoices):
    """GBVIMS: the kind of service provider where the survivor also reported the incident."""

    HEALTH = "health", _("Health or medical services")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial or counselling services")
    POLICE = "police", _("Police or other security actor")
    LEGAL = "legal", _("Legal assistance services")
    LIVELIHOODS = "livelihoods", _("Livelihoods programme")
    SAFE_HOUSE = "safe_house", _("Safe house or shelter")
    OTHER = "other", _("Other")


class ReferredBy(models.TextChoices):
    """GBVIMS: who referred the survivor to us."""

    SELF = "self", _("Self-referral or first point of contact")
    HEALTH = "health", _("Health or medical services")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial or counselling services")
    POLICE = "police", _("Police or other security actor")
    LEGAL = "legal", _("Legal assistance services")
    LIVELIHOODS = "livelihoods", _("Livelihoods programme")
    SAFE_HOUSE = "safe_house", _("Safe house or shelter")
    TEACHER = "teacher", _("Teacher or school official")
    COMMUNITY_LEADER = "community_leader", _("Community or camp leader")
    HUMANITARIAN = "humanitarian", _("Other humanitarian or development actor")
    GOVERNMENT = "government", _("Other government service")
    OTHER = "other", _("Other")


class LegalAction(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNDECIDED = "undecided", _("Not decided yet")


class AgeGroup(models.TextChoices):
    UNDER_12 = "0-11", _("0–11")
    AGE_12_17 = "12-17", _("12–17")
    AGE_18_25 = "18-25", _("18–25")
    AGE_26_40 = "26-40", _("26–40")
    AGE_41_60 = "41-60", _("41–60")
    OVER_60 = "61+", _("61 and over")
    UNKNOWN = "unknown", _("Unknown")


class PerpetratorRelationship(models.TextChoices):
    INTIMATE_PARTNER = "intimate_partner", _("Intimate partner or former partner")
    CAREGIVER = "caregiver", _("Primary caregiver")
    FAMILY = "family", _("Other family member")
    EMPLOYER = "employer", _("Supervisor or employer")
    TEACHER = "teacher", _("Teacher or school official")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    AUTHORITY = "authority", _("Police, military or armed group")
    COMMUNITY = "community", _("Community member or neighbour")
    STRANGER = "stranger", _("No relation")
    UNKNOWN = "unknown", _("Unknown")


class GBVService(models.TextChoices):
    """Services a survivor may have received, or consent to be referred to (GBVIMS)."""

    HEALTH = "health", _("Health or medical")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    SAFE_HOUSE = "safe_house", _("Safe house or shelter")
    LEGAL = "legal", _("Legal assistance")
    POLICE = "police", _("Police or other security")
    LIVELIHOODS = "livelihoods", _("Livelihoods")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    # Documentation, education, basic needs and the rest: a referral there shares who she is
    # too, so it needs her consent like any other.
    OTHER = "other", _("Other services (documentation, education, basic needs…)")


class Incident(OfACase, models.Model):
    """A GBV incident, recorded with the GBVIMS core fields."""

    class PerpetratorSex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        BOTH = "both", _("Both")
        UNKNOWN = "unknown", _("Unknown")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="incidents")
    incident_date = models.DateField(_("date of the incident"))
    report_date = models.DateField(_("date of the report"))
    # Where: a country always; an area only inside the office's country, so that an incident
    # during flight abroad is never counted in one of the office's provinces.
    country = models.CharField(_("country where it happened"), max_length=2)
    area = models.ForeignKey(
        Area,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("where it happened"),
    )
    place_type = models.CharField(
        _("type of place"), max_length=20, choices=PlaceType.choices, blank=True
    )
    time_of_day = models.CharField(
        _("time of day"), max_length=10, choices=TimeOfDay.choices, blank=True
    )
    displacement_stage = models.CharField(
        _("stage of displacement at the time of the incident"),
        max_length=20,
        choices=DisplacementStage.choices,
        blank=True,
    )
    type = models.CharField(_("incident type"), max_length=20, choices=IncidentType.choices)
    context = models.JSONField(_("context"), default=list, blank=True)
    account = EncryptedTextField(_("account of the incident"), blank=True)
    # The survivor at the time of the incident. One primary survivor per incident: the case's.
    survivor_age = models.PositiveSmallIntegerField(
        _("survivor's age at the incident"), null=True, blank=True
    )
    survivor_age_group = models.CharField(
        _("survivor's age group at the incident"),
        max_length=8,
        choices=AgeGroup.choices,
        default=AgeGroup.UNKNOWN,
    )
    survivor_marital_status = models.CharField(
        _("survivor's marital status"), max_length=10, choices=MaritalStatus.choices, blank=True
    )
    survivor_ethnicity = models.CharField(
        _("survivor's ethnicity"), max_length=20, choices=Ethnicity.choices, blank=True
    )
    perpetrator_count = models.PositiveSmallIntegerField(_("number of alleged perpetrators"))
    perpetrator_sex = models.CharField(
        _("sex of the alleged perpetrators"), max_length=8, choices=PerpetratorSex.choices
    )
    perpetrator_age_group = models.CharField(
        _("age group of the alleged perpetrators"), max_length=8, choices=AgeGroup.choices
    )
    perpetrator_relationship = models.CharField(
        _("relationship to the survivor"), max_length=20, choices=PerpetratorRelationship.choices
    )
    perpetrator_occupation = models.CharField(
        _("main occupation of the alleged perpetrator"),
        max_length=20,
        choices=PerpetratorOccupation.choices,
        blank=True,
    )
    former_perpetrator = models.CharField(
        _("alleged perpetrator of a former incident against the survivor"),
        max_length=8,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    previous_incidents = models.CharField(
        _("previous incidents against the survivor"),
        max_length=8,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    reported_elsewhere = models.CharField(
        _("reported elsewhere"), max_length=8, choices=YesNoUnknown.choices, blank=True
    )
    reported_to = models.JSONField(_("also reported to"), default=list, blank=True)
    # Reported to an agency of the GBVIMS: it counts that incident; we leave it out (ISP).
    reported_to_gbvims_agency = models.BooleanField(
        _("reported to another GBVIMS agency"), default=False
    )
    referred_by = models.CharField(
        _("referred by"), max_length=20, choices=ReferredBy.choices, blank=True
    )
    wants_legal_action = models.CharField(
        _("wants to take legal action"), max_length=10, choices=LegalAction.choices, blank=True
    )
    services_received = models.JSONField(_("services already received"), default=list, blank=True)
    referral_consent = models.JSONField(_("consent to be referred to"), default=list, blank=True)
    statistics_consent = models.BooleanField(
        _("consents to the incident being counted in statistics"), default=False
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-incident_date", "-id"]
        verbose_name = _("GBV incident")
        verbose_name_plural = _("GBV incidents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report_date__gte=models.F("incident_date")),
                name="incident_reported_after_it_happened",
            ),
            models.CheckConstraint(condition=~models.Q(country=""), name="incident_has_a_country"),
        ]

    def __str__(self) -> str:
        return f"incident {self.pk} of {self.case}"

    @property
    def context_display(self) -> list[str]:
        labels = dict(IncidentContext.choices)
        return [str(labels.get(code, code)) for code in self.context or []]


# Consent of child survivors, the survivor's decisions per service, and her safety: records of
# a restricted case, read by its office's GBV team only (through the case).


class ConsentGiver(models.TextChoices):
    SURVIVOR = "survivor", _("The survivor themselves")
    CAREGIVER = "caregiver", _("The caregiver (with the child's assent where the age asks it)")
    BEST_INTERESTS = "best_interests", _("Best-interests decision of a case supervisor")


class CaregiverRelationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandmother or grandfather")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    TRUSTED_ADULT = "trusted_adult", _("Foster carer or other trusted adult")


class CaregiverUnsuitable(models.TextChoices):
    """Why a caregiver's consent cannot stand (Caring for Child Survivors guidelines)."""

    PERPETRATOR = "perpetrator", _("The caregiver is the alleged perpetrator")
    ABSENT = "absent", _("The caregiver is absent or cannot be reached")
    AGAINST_INTEREST = "against_interest", _("The caregiver acts against the child's interest")


class ConsentPurpose(models.TextChoices):
    """What a child's consent is for: case work and referrals are asked separately (GBVIMS
    consent form); consent to share a referral's data with a service stays per service, on
    the incident."""

    CASE_WORK = "case_work", _("GBV case management")
    REFERRALS = "referrals", _("Referrals to other services")


class ConsentManner(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written (signed form)")


class AdolescentUnable(models.TextChoices):
    """Why an adolescent of 15–17, who normally consents for themselves, cannot give informed
    consent now (Caring for Child Survivors guidelines: then a caregiver who is not the alleged
    perpetrator and acts in their interest consents, or a best-interests decision is taken)."""

    NO_CAPACITY = (
        "no_capacity",
        _(
            "Lacks the capacity to give informed consent at this moment (shock, illness, "
            "intoxication, a developmental disability)"
        ),
    )
    IMMEDIATE_DANGER = "immediate_danger", _("Is in immediate danger and cannot decide in safety")
    OTHER = "other", _("Another reason (explained below)")


class AdolescentIncapacity(OfACase, models.Model):
    """The caseworker's record of why an adolescent of 15–17 cannot give informed consent for
    themselves; a caregiver's consent or a best-interests decision for them points at it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="adolescent_incapacities")
    # The adolescent in the registry; empty for the walk-in survivor of the case.
    individual = models.ForeignKey(
        Individual, models.PROTECT, null=True, blank=True, related_name="+"
    )
    age = models.PositiveSmallIntegerField(_("age of the adolescent"))
    why = models.CharField(
        _("why the adolescent cannot consent"), max_length=20, choices=AdolescentUnable.choices
    )
    details = EncryptedTextField(_("what the caseworker observed"))
    noted_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("adolescent unable to consent")
        verbose_name_plural = _("adolescents unable to consent")

    def __str__(self) -> str:
        return f"incapacity {self.pk} of {self.case}"


class ChildConsent(OfACase, models.Model):
    """Who agreed, for a child survivor, to case work and referrals, and how: the caregiver
    with the child's assent, the adolescent herself, or — when the caregiver is the alleged
    perpetrator, absent or acting against the child — a case supervisor's best-interests
    decision. The newest record for the child is the one that counts."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="child_consents")
    # The child in the registry; empty for the walk-in survivor of the case.
    individual = models.ForeignKey(
        Individual, models.PROTECT, null=True, blank=True, related_name="+"
    )
    age = models.PositiveSmallIntegerField(_("age of the child"))
    given_by = models.CharField(_("consent given by"), max_length=16, choices=ConsentGiver.choices)
    caregiver_relationship = models.CharField(
        _("caregiver's relationship to the child"),
        max_length=16,
        choices=CaregiverRelationship.choices,
        blank=True,
    )
    child_assent = models.BooleanField(_("the child gave informed assent"), default=False)
    method = models.CharField(_("how"), max_length=10, choices=ConsentManner.choices)
    given_on = models.DateField(_("date"))
    purposes = models.JSONField(_("consent to"), default=list)
    caregiver_unsuitable = models.CharField(
        _("why the caregiver cannot consent"),
        max_length=20,
        choices=CaregiverUnsuitable.choices,
        blank=True,
    )
    reason = EncryptedTextField(_("reasons for the best-interests decision"), blank=True)
    # At 15–17, a caregiver or a supervisor decides only when the adolescent cannot: the
    # caseworker's record of why, and that the caregiver acts in the adolescent's interest.
    incapacity = models.ForeignKey(
        AdolescentIncapacity, models.PROTECT, null=True, blank=True, related_name="+"
    )
    caregiver_in_interest = models.BooleanField(
        _("the caregiver is not the alleged perpetrator and acts in the child's interest"),
        default=False,
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("child survivor's consent")
        verbose_name_plural = _("child survivors' consents")

    def __str__(self) -> str:
        return f"consent {self.pk} of {self.case}"


class ConsentWithdrawer(models.TextChoices):
    SURVIVOR = "survivor", _("The survivor")
    CAREGIVER = "caregiver", _("The caregiver")


class ConsentWithdrawal(OfACase, models.Model):
    """The survivor (or the caregiver who gave consent for a child) withdrew consent to be
    referred: to every service (`service` empty) or to one kind. A new fact beside the consent
    records, which stay as they were. It holds until consent is given again (`renewed_on`); a
    referral it covers is refused, and the case page warns of those still awaiting an answer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, models.CASCADE, related_name="consent_withdrawals")
    service = models.CharField(
        _("consent withdrawn for"), max_length=20, choices=GBVService.choices, blank=True
    )
    withdrawn_by = models.CharField(
        _("withdrawn by"), max_length=10, choices=ConsentWithdrawer.choices
    )
    withdrawn_on = models.DateField(_("date of the withdrawal"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    renewed_on = models.DateField(_("consent given again on"), null=True, blank=True)
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-withdrawn_on", "-id"]
        verbose_name = _("withdrawal of consent")
        verbose_name_plural = _("withdrawals of consent")

    def __str__(self) -> str:
        return f"withdrawal {self.pk} of {self.case}"

    @property
    def scope_display(self) -> str:
        """What was withdrawn, in words."""
        if not self.service:
            return str(_("Every referral"))
        return str(self.get_service_display())


class ServiceOutcome(models.TextChoices):
    """The GBVIMS Incident Recording Form's answer for each service (as in Primero's
    `lookup-service-referred`)."""

    REFERRED = "referred", _("Referred")
    PROVIDED = "service_provided_by_your_agency", _("Service provided by our agency")
    ALREADY_RECEIVED = (
        "services_already_received_from_another_agency",
        _("Service already received from another agency"),
    )
    NOT_APPLICABLE = "service_not_applicable", _("Service not applicable")
    DECLINED = "referral_declined_by_survivor", _("Referral declined by the survivor")
    UNAVAILABLE = "service_unavailable", _("Service unavailable")


class ServiceDecision(OfACase, models.Model):
    """What became of one kind of service for the survivor of a case; a decline stops every
    referral to that kind of service until the survivor changes her mind."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="service_decisions")
    service_type = models.CharField(_("service"), max_length=20, choices=ServiceType.choices)
    outcome = models.CharField(_("outcome"), max_length=48, choices=ServiceOutcome.choices)
    decided_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_type"]
        verbose_name = _("survivor's decision on a service")
        verbose_name_plural = _("survivor's decisions on services")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "service_type"], name="one_decision_per_case_and_service"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_type} of {self.case}"


class MandatoryReport(models.TextChoices):
    NOT_REQUIRED = "not_required", _("No mandatory report applies")
    MADE = "made", _("A mandatory report was made")
    NOT_MADE = "not_made", _("A report applies and was not made yet")


class SurvivorSafety(OfACase, models.Model):
    """Where confidentiality ends and whether a mandatory report was made; how to reach the
    survivor safely (shared with a receiving partner only when chosen for a referral); and her
    safety plan (never shared)."""

    case = models.OneToOneField(Case, models.CASCADE, related_name="safety")
    confidentiality_explained_on = models.DateField(
        _("limits of confidentiality explained on"), null=True, blank=True
    )
    caregiver_informed = models.BooleanField(_("the caregiver was told too"), default=False)
    mandatory_report = models.CharField(
        _("mandatory report"), max_length=16, choices=MandatoryReport.choices, blank=True
    )
    report_authority = models.CharField(_("reported to"), max_length=200, blank=True)
    report_date = models.DateField(_("date of the report"), null=True, blank=True)
    may_call = models.BooleanField(_("we may call the survivor"), null=True, blank=True)
    may_leave_message = models.BooleanField(_("we may leave a message"), null=True, blank=True)
    # When to call, and a safe person to go through: who they are may endanger her.
    safe_contact = EncryptedTextField(_("when to call, safe person"), blank=True)
    safety_plan = EncryptedTextField(_("safety plan"), blank=True)
    safety_plan_review_on = models.DateField(_("review the plan on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survivor's safety")
        verbose_name_plural = _("survivors' safety")

    def __str__(self) -> str:
        return f"safety of {self.case}"


class MonthlyRelease(models.Model):
    """A month's GBVIMS tables for an office (or the whole organization: no office), as they
    were when prepared: counts only, small cells already suppressed. Prepared by the GBV team,
    approved by a GBV coordinator who did not prepare them; only then does anyone off the GBV
    team see them (Information Sharing Protocol)."""

    class State(models.TextChoices):
        PREPARED = "prepared", _("Prepared, waiting for approval")
        APPROVED = "approved", _("Approved and released")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(
        Office, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("office")
    )
    month = models.DateField(_("month"))  # its first day
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PREPARED
    )
    tables = models.JSONField(_("tables"), default=dict)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "office__name"]
        verbose_name = _("monthly GBV statistics release")
        verbose_name_plural = _("monthly GBV statistics releases")

    def __str__(self) -> str:
        return f"GBV tables {self.month:%Y-%m} of {self.office or self.organization}"

    @property
    def audit_restricted_office_id(self) -> int | None:
        # Until approved, events about an office's tables are its GBV team's to read.
        return self.office_id if self.state != self.State.APPROVED else None
