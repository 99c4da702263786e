"""The Care Route: the service directory (providers and the services they give, where and when),
care routes (for an area and a need, the ordered services to refer to) and referrals."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import Case, CaseType, ServiceType
from amparo.core.crypto import EncryptedTextField
from amparo.core.models import Area, Office, Organization, User
from amparo.registry.models import Individual


class ProviderKind(models.TextChoices):
    INTERNAL = "internal", _("Unit of our organization")
    POLICE = "police", _("Police")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    HEALTH = "health", _("Hospital or health centre")
    CHILD_INSTITUTE = "child_institute", _("Child protection institute")
    GOVERNMENT = "government", _("Other public institution")
    NGO = "ngo", _("NGO or community organization")
    UN = "un", _("UN agency")


class CoordinationNetwork(models.Model):
    """Agencies of one place that keep one Care Route together (a GBV coordination network, as
    in San Lorenzo: the public institutions, NGOs and UN agencies that refer to each other).

    Its directory rows (providers with their services, care routes) have `network` set: every
    member organization reads and refers to them beside its own, and only the focal points
    (users of member organizations with `referrals.manage_directory`) change them. The network
    shares the directory only: members see nothing of each other's cases or referrals.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    convener = models.ForeignKey(
        Organization, models.PROTECT, related_name="+", verbose_name=_("convener")
    )
    members = models.ManyToManyField(
        Organization, related_name="coordination_networks", verbose_name=_("member organizations")
    )
    focal_points = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="directory_networks",
        blank=True,
        verbose_name=_("focal points (keep the shared directory)"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("coordination network")
        verbose_name_plural = _("coordination networks")

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """An agency or internal unit on the Care Route, as listed by one organization's directory.

    `agency` is the organization in Amparo whose focal points receive the referrals; empty for
    agencies without accounts (they get a printed referral form).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="+", verbose_name=_("directory of")
    )
    network = models.ForeignKey(
        CoordinationNetwork,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="providers",
        verbose_name=_("shared by the network"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProviderKind.choices)
    agency = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="listed_as",
        verbose_name=_("agency with accounts in Amparo"),
    )
    # For a unit of the organization itself: the office whose staff receive its referrals.
    office = models.ForeignKey(
        Office, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("office")
    )
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Where it works, when that is another country than the referring office's (a referral
    # there needs the person's consent to her information leaving the country).
    country = models.ForeignKey(
        Area,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": 0},
        verbose_name=_("country"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=models.Q(network__isnull=True),
                name="provider_name_per_org",
            ),
            models.UniqueConstraint(
                fields=["network", "name"],
                condition=models.Q(network__isnull=False),
                name="provider_name_per_network",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider, models.CASCADE, related_name="services", verbose_name=_("provider")
    )
    type = models.CharField(_("type"), max_length=20, choices=ServiceType.choices)
    name = models.CharField(_("name"), max_length=200)
    areas = models.ManyToManyField(Area, related_name="+", blank=True, verbose_name=_("areas"))
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    eligibility = models.CharField(_("who can use it"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["provider__name", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="service_name_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.provider}"


class CareRoute(models.Model):
    """For an area and a need, the services to refer to, in order."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    # Set: the network's shared route (organization is then the convener), as for providers.
    network = models.ForeignKey(
        CoordinationNetwork,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="care_routes",
        verbose_name=_("shared by the network"),
    )
    area = models.ForeignKey(Area, models.PROTECT, related_name="+", verbose_name=_("area"))
    need = models.CharField(_("need"), max_length=20, choices=CaseType.choices)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["area__name", "need"]
        verbose_name = _("care route")
        verbose_name_plural = _("care routes")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "area", "need"],
                condition=models.Q(network__isnull=True),
                name="one_route_per_area_and_need",
            ),
            models.UniqueConstraint(
                fields=["network", "area", "need"],
                condition=models.Q(network__isnull=False),
                name="one_network_route_per_area_and_need",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CareRouteStep(models.Model):
    route = models.ForeignKey(CareRoute, models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    service = models.ForeignKey(
        Service, models.PROTECT, related_name="+", verbose_name=_("service")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="route_step_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.route} #{self.position}"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency (answer within 1 day)")
    URGENT = "urgent", _("Urgent (answer within 3 days)")
    ROUTINE = "routine", _("Routine (answer within 10 days)")


# How long the recipient has to accept or decline, per urgency.
RESPONSE_SLA = {
    Urgency.EMERGENCY: timedelta(days=1),
    Urgency.URGENT: timedelta(days=3),
    Urgency.ROUTINE: timedelta(days=10),
}


class ReferralState(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SERVICE_GIVEN = "service_given", _("Service given")
    NOT_REACHED = "not_reached", _("Person not reached")
    WITHDRAWN = "withdrawn", _("Withdrawn by the sender")


class WithdrawReason(models.TextChoices):
    CONSENT = "consent_withdrawn", _("The person withdrew consent")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    SENT_IN_ERROR = "sent_in_error", _("Sent in error")
    OTHER = "other", _("Other reason")


# Who makes a move: the recipient (or, for an agency without accounts, the sender on its
# behalf: `actions.can_answer`), or the sending side itself (`actions.can_withdraw`).
RECIPIENT = "recipient"
SENDER = "sender"


@dataclass(frozen=True)
class StateRule:
    """What a referral's move into a state writes. `actions.move` reads nothing else, so a new
    state does only what its row says: a row with nothing but `follows` changes only the state.

    `mover` says which side makes the move: the recipient answers (received, accepted,
    declined, the outcome); the sender withdraws. The other side cannot make it (for a sender's
    move, the recipient gets the same 404 as anyone out of scope).
    """

    follows: frozenset[ReferralState] = frozenset()  # the states it may move to next
    mover: str = RECIPIENT  # RECIPIENT or SENDER
    awaiting_answer: bool = False  # the recipient still owes an answer by `respond_by`
    stamp: str = ""  # the time field set to the moment of the move
    stamp_by: str = ""  # the user field set to whoever moves it
    note_field: str = ""  # where the mover's note is kept ("": the note is dropped)
    missing_note: Promise | None = None  # the message when the note is left out (None: optional)
    verb: Promise | None = None  # the button that moves a referral into this state
    # A reason chosen from a list (`reasons`), kept in `reason_field`; `missing_reason` when
    # it is left out. With reasons, `note_needed_for` names those that need the note too.
    reason_field: str = ""
    reasons: type[models.TextChoices] | None = None
    missing_reason: Promise | None = None
    note_needed_for: frozenset[str] | None = None
    # Reasons that carry the move down to the open onward referrals that followed (the
    # person's consent, which the whole chain rests on).
    down_the_chain: frozenset[str] = frozenset()

    @property
    def concludes(self) -> bool:
        """Reports the outcome: only such a state sets `concluded_at` (and keeps the note as
        `outcome`)."""
        return self.stamp == "concluded_at"

    def needs_note(self, reason: str = "") -> bool:
        if self.missing_note is None:
            return False
        return self.note_needed_for is None or reason in self.note_needed_for

    def writes(self, *, by: User, note: str, now: datetime, reason: str = "") -> dict[str, object]:
        """The fields a move into this state sets, besides `state`."""
        fields = {
            self.stamp: now,
            self.stamp_by: by,
            self.note_field: note,
            self.reason_field: reason,
        }
        return {field: value for field, value in fields.items() if field}


# From every open state the sender may withdraw the referral.
_WITHDRAWABLE = frozenset({ReferralState.WITHDRAWN})


# Every state of a referral, what may follow it and what moving into it writes.
STATE_RULES = {
    ReferralState.SENT: StateRule(
        follows=frozenset({ReferralState.RECEIVED}) | _WITHDRAWABLE,
        awaiting_answer=True,
    ),
    ReferralState.RECEIVED: StateRule(
        follows=frozenset({ReferralState.ACCEPTED, ReferralState.DECLINED}) | _WITHDRAWABLE,
        awaiting_answer=True,
        stamp="received_at",
        verb=_("Mark as received"),
    ),
    ReferralState.ACCEPTED: StateRule(
        follows=frozenset({ReferralState.SERVICE_GIVEN, ReferralState.NOT_REACHED}) | _WITHDRAWABLE,
        stamp="responded_at",
        stamp_by="responded_by",
        verb=_("Accept"),
    ),
    ReferralState.DECLINED: StateRule(
        stamp="responded_at",
        stamp_by="responded_by",
        note_field="decline_reason",
        missing_note=_("Say why the referral is declined."),
        verb=_("Decline"),
    ),
    ReferralState.SERVICE_GIVEN: StateRule(
        stamp="concluded_at", note_field="outcome", verb=_("Record the service given")
    ),
    ReferralState.NOT_REACHED: StateRule(
        stamp="concluded_at", note_field="outcome", verb=_("Record that the person was not reached")
    ),
    # Final: the partner is told (its lists and the referral's page say so) and stops; its
    # answer is no longer awaited.
    ReferralState.WITHDRAWN: StateRule(
        mover=SENDER,
        stamp="withdrawn_at",
        stamp_by="withdrawn_by",
        reason_field="withdraw_reason",
        reasons=WithdrawReason,
        missing_reason=_("Say why the referral is withdrawn."),
        note_field="withdraw_note",
        missing_note=_("Add a note saying why the referral is withdrawn."),
        note_needed_for=frozenset({WithdrawReason.OTHER}),
        down_the_chain=frozenset({WithdrawReason.CONSENT}),
        verb=_("Withdraw the referral"),
    ),
}
OPEN_STATES = tuple(state for state, rule in STATE_RULES.items() if rule.follows)
AWAITING_ANSWER = tuple(state for state, rule in STATE_RULES.items() if rule.awaiting_answer)
# The states the recipient's answers move a referral to (not the sender's withdrawal).
ANSWERS = tuple(state for state, rule in STATE_RULES.items() if rule.mover == RECIPIENT)

# What a sender may share with the recipient; nothing else about the person ever leaves.
SHAREABLE_FIELDS = {
    "name": _("Name"),
    "sex": _("Sex"),
    "age": _("Age"),
    "nationality": _("Nationality"),
    "phone": _("Phone"),
    "document": _("Identity document"),
    "languages": _("Languages"),
    # Of a restricted case only: its code (shared instead of the name by default) and how to
    # reach her safely.
    "case_code": _("Case code"),
    "safe_contact": _("Safe-contact instructions"),
}


class Referral(models.Model):
    class ConsentMethod(models.TextChoices):
        VERBAL = "verbal", _("Verbal")
        WRITTEN = "written", _("Written (signed form)")
        GUARDIAN = "guardian", _("Given by a parent or guardian")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=32)
    from_organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    from_office = models.ForeignKey(Office, models.PROTECT, null=True, blank=True, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    case = models.ForeignKey(Case, models.PROTECT, null=True, blank=True, related_name="referrals")
    individual = models.ForeignKey(
        Individual, models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    service = models.ForeignKey(
        Service, models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    # Copied from the service's provider when sent: who receives it.
    to_organization = models.ForeignKey(
        Organization, models.PROTECT, null=True, blank=True, related_name="+"
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    reason = EncryptedTextField(_("reason for the referral"))
    # The minimum information shared with the recipient (JSON, encrypted), and which fields.
    shared_fields = models.JSONField(default=list)
    shared_data = EncryptedTextField()
    consent_method = models.CharField(
        _("how consent was given"), max_length=10, choices=ConsentMethod.choices
    )
    consent_date = models.DateField(_("date of consent"))
    # She agreed that her information goes to another country (a provider abroad).
    cross_border_consent = models.BooleanField(_("consent to share abroad"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=ReferralState.choices, default=ReferralState.SENT
    )
    sent_at = models.DateTimeField(_("sent"))
    respond_by = models.DateTimeField(_("answer expected by"))
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("outcome reported"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = EncryptedTextField(_("reason for declining"), blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    # Withdrawn by the sending side (`ReferralState.WITHDRAWN`), why and when.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.CharField(
        _("reason for withdrawing"), max_length=20, choices=WithdrawReason.choices, blank=True
    )
    withdraw_note = EncryptedTextField(_("note on the withdrawal"), blank=True)
    # An onward referral: the recipient of `parent` refers the person on (hospital →
    # prosecutor), sharing no more than `parent` shared, within the consent it carried.
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="onward",
        verbose_name=_("referred on from"),
    )
    # The service types the person agreed to be referred to when this referral was sent (what
    # an onward referral may go to without asking her again).
    consented_types = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["state", "respond_by"], name="referral_open_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["from_organization", "reference"], name="referral_reference_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def consent_withdrawn(self) -> bool:
        """Withdrawn because the person took back the consent it was sent with."""
        return (
            self.state == ReferralState.WITHDRAWN and self.withdraw_reason == WithdrawReason.CONSENT
        )

    def get_consented_types_display(self) -> list[str]:
        """The consented service types, in words."""
        return [str(ServiceType(t).label) for t in self.consented_types if t in ServiceType.values]

    @property
    def audit_restricted_office_id(self) -> int | None:
        if self.case_id:
            return self.case.audit_restricted_office_id
        return self.parent.audit_restricted_office_id if self.parent_id else None


# Intake from care posts and community networks without accounts (issue 11): the office's GBV
# team issues a one-time link to a post, or receives the printed form; both land in its inbox.
# Here rather than in `cases` because a link may name a Care Route provider, and `cases` sits
# below `referrals`; an intake becomes a walk-in case through `cases`' own action.

INTAKE_LINK_MAX_HOURS = 7 * 24
INTAKE_LINK_DEFAULT_HOURS = 72
# Lengths of the free text a post may send: enough to be useful, too short for a story.
INTAKE_TEXT_LIMITS = {"alias": 60, "community": 100, "phone": 30, "safe_times": 200, "note": 500}


class IntakeLinkState(models.TextChoices):
    OPEN = "open", _("Open")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class IntakeLink(models.Model):
    """A one-time link for a care post or community network: it opens the intake form once,
    until it expires or is revoked. Only the SHA-256 of its secret is stored."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+", verbose_name=_("office"))
    label = models.CharField(_("care post or network"), max_length=200)
    provider = models.ForeignKey(
        Provider,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider of the Care Route"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("intake link")
        verbose_name_plural = _("intake links")

    def __str__(self) -> str:
        return self.label

    def state_at(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return IntakeLinkState.REVOKED
        if self.used_at is not None:
            return IntakeLinkState.USED
        if self.expires_at <= now:
            return IntakeLinkState.EXPIRED
        return IntakeLinkState.OPEN

    @property
    def audit_restricted_office_id(self) -> int | None:
        return self.office_id


class IntakeSource(models.TextChoices):
    LINK = "link", _("One-time link")
    PAPER = "paper", _("Printed form")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Girl or boy (under 12)")
    ADOLESCENT = "adolescent", _("Adolescent (12 to 17)")
    ADULT = "adult", _("Adult (18 or more)")


class IntakeSex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other / not stated")


class IntakeUrgency(models.TextChoices):
    NOW = "now", _("Now: the person is in danger or hurt")
    DAYS = "days", _("In the next few days")
    WHEN_POSSIBLE = "when_possible", _("When possible")


class ContactBy(models.TextChoices):
    PHONE = "phone", _("By phone")
    CARE_POST = "care_post", _("Through the care post or network")


class IntakeState(models.TextChoices):
    RECEIVED = "received", _("Waiting")
    RECORDED = "recorded", _("Recorded as a case")
    CLOSED = "closed", _("Closed")


class IntakeClosure(models.TextChoices):
    NO_SAFE_CONTACT = "no_safe_contact", _("Could not be contacted safely")
    DECLINED = "declined", _("The person no longer wants to be contacted")
    ALREADY_KNOWN = "already_known", _("Already followed by the office")
    OTHER_AGENCY = "other_agency", _("Attended by another agency")
    NOT_GBV = "not_gbv", _("Not a GBV situation")


class Intake(models.Model):
    """What a care post or community network passed to an office's GBV team about a survivor
    who agreed to be contacted: the minimum, never the incident or the perpetrator (the
    caseworker asks in person). Free text is encrypted; the GBV team of `office` reads it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    office = models.ForeignKey(Office, models.PROTECT, related_name="+", verbose_name=_("office"))
    source = models.CharField(_("received by"), max_length=8, choices=IntakeSource.choices)
    # One intake per link: with the conditional update in `receive_intake`, a link works once.
    link = models.OneToOneField(
        IntakeLink, models.PROTECT, null=True, blank=True, related_name="intake"
    )
    sender_label = models.CharField(_("care post or network"), max_length=200)
    provider = models.ForeignKey(Provider, models.PROTECT, null=True, blank=True, related_name="+")
    alias = EncryptedTextField(_("what the person wants to be called"))
    age_group = models.CharField(_("age group"), max_length=12, choices=AgeGroup.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=IntakeSex.choices)
    community = EncryptedTextField(_("neighbourhood or community"))
    needs = models.JSONField(_("help needed"), default=list)
    urgency = models.CharField(_("urgency"), max_length=16, choices=IntakeUrgency.choices)
    contact_by = models.CharField(_("contact"), max_length=10, choices=ContactBy.choices)
    phone = EncryptedTextField(_("phone"), blank=True)
    may_call = models.BooleanField(_("we may call"), default=False)
    may_leave_message = models.BooleanField(_("we may leave a message"), default=False)
    safe_times = EncryptedTextField(_("safe times to make contact"), blank=True)
    consent = models.BooleanField(_("the person agreed to be contacted by the GBV team"))
    note = EncryptedTextField(_("note"), blank=True)
    received_at = models.DateTimeField(_("received"))
    # A paper form: who typed it in, and the day the office got it.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=IntakeState.choices, default=IntakeState.RECEIVED
    )
    case = models.ForeignKey(
        Case, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=16, choices=IntakeClosure.choices, blank=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        indexes = [models.Index(fields=["office", "state"], name="intake_office_state")]
        constraints = [
            models.CheckConstraint(condition=models.Q(consent=True), name="intake_has_consent"),
            models.CheckConstraint(
                condition=~models.Q(state="recorded") | models.Q(case__isnull=False),
                name="recorded_intake_has_case",
            ),
        ]

    def __str__(self) -> str:
        return self.sender_label

    def get_needs_display(self) -> list[str]:
        return [str(ServiceType(t).label) for t in self.needs if t in ServiceType.values]

    @property
    def audit_restricted_office_id(self) -> int | None:
        return self.office_id
