"""Case forms. They parse; the case actions validate the rules and explain."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import (
    PLANNABLE_SERVICES,
    AdolescentUnable,
    AgeGroup,
    CaregiverRelationship,
    CaregiverUnsuitable,
    CaseState,
    CaseType,
    ClosureReason,
    ConsentGiver,
    ConsentManner,
    ConsentPurpose,
    ConsentWithdrawer,
    DisplacementStage,
    Ethnicity,
    FollowUp,
    GBVService,
    Incident,
    IncidentContext,
    IncidentType,
    LegalAction,
    MandatoryReport,
    MaritalStatus,
    PerpetratorOccupation,
    PerpetratorRelationship,
    PlaceType,
    ReferredBy,
    RegistryConsentMethod,
    ReportedTo,
    RiskLevel,
    ServiceOutcome,
    ServiceType,
    TimeOfDay,
    YesNoUnknown,
)
from amparo.core.models import Area, Office, User
from amparo.core.names import country_choices
from amparo.registry.models import Individual


def _date(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text(label, required=False, rows=4):
    return forms.CharField(
        label=label,
        required=required,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class CaseFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All open"))] + CaseState.choices
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types"))] + CaseType.choices
    )
    scope = forms.ChoiceField(
        label=_("Cases"),
        required=False,
        choices=[("mine", _("Mine")), ("office", _("My office's (supervision)"))],
    )


class OpenCaseForm(forms.Form):
    type = forms.ChoiceField(label=_("Case type"), choices=CaseType.choices)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    psea_related = forms.BooleanField(
        label=_("Related to sexual exploitation or abuse (PSEA)"), required=False
    )
    individuals = forms.TypedMultipleChoiceField(
        label=_("People of the case"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    summary = _text(_("Summary (confidential)"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["individuals"].choices = [(m.pk, m.choice_label) for m in members]


class SurvivorIdentityForm(forms.Form):
    """Who a walk-in survivor is, as much as they choose to say: only a name is required."""

    given_names = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The name the survivor gives; it may be a first name only."),
    )
    first_surname = forms.CharField(label=_("First surname"), required=False, max_length=100)
    second_surname = forms.CharField(label=_("Second surname"), required=False, max_length=100)
    other_names = forms.CharField(label=_("Other names or aliases"), required=False, max_length=200)
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", "—"), *Individual.Sex.choices]
    )
    date_of_birth = _date(_("Date of birth"), required=False)
    age = forms.IntegerField(label=_("or age in years"), required=False, min_value=0, max_value=130)
    nationality = forms.ChoiceField(label=_("Nationality"), required=False, choices=country_choices)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    languages = forms.CharField(
        label=_("Languages (ISO codes, comma-separated)"),
        required=False,
        max_length=100,
        help_text=_("e.g. es, ht"),
    )

    def identity(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("date_of_birth") is None:
            data.pop("date_of_birth", None)
        return data

    @staticmethod
    def initial_from(identity: dict, age: int | None) -> dict:
        """The form's fields from a stored identity (an estimated date shows as the age)."""
        initial = {k: v for k, v in identity.items() if k != "dob_estimated"}
        initial["languages"] = ", ".join(identity.get("languages") or [])
        if identity.get("dob_estimated"):
            initial["date_of_birth"], initial["age"] = None, age
        return initial


class WalkInCaseForm(SurvivorIdentityForm):
    type = forms.ChoiceField(
        label=_("Case type"),
        choices=CaseType.choices,
        initial=CaseType.GBV,
    )
    psea_related = forms.BooleanField(
        label=_("Related to sexual exploitation or abuse (PSEA)"), required=False
    )
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    summary = _text(_("Summary (confidential)"))

    field_order = ["type", "psea_related", "risk_level"]


class RegisterSurvivorForm(SurvivorIdentityForm):
    """The survivor's registry record: the case's identity, completed with what the registry
    requires, and how and when the survivor agreed."""

    first_surname = forms.CharField(label=_("First surname"), max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Individual.Sex.choices])
    nationality = forms.ChoiceField(label=_("Nationality"), choices=country_choices)
    population_group = forms.ChoiceField(
        label=_("Population group"), choices=[("", "—"), *Individual.PopulationGroup.choices]
    )
    contact_consent = forms.BooleanField(label=_("Agrees to be contacted"), required=False)
    data_sharing_consent = forms.BooleanField(label=_("Agrees to data sharing"), required=False)
    consent = forms.BooleanField(
        label=_(
            "The survivor agreed to a record in the registry, which registration and "
            "other staff of the organization can find."
        )
    )
    consent_method = forms.ChoiceField(
        label=_("How the survivor agreed"), choices=RegistryConsentMethod.choices
    )
    consent_date = _date(_("Date of the agreement"))
    duplicate_reason = forms.CharField(
        label=_("Reason for registering despite possible duplicates"),
        required=False,
        max_length=300,
    )

    def member(self) -> dict:
        skip = {"consent", "consent_method", "consent_date", "duplicate_reason"}
        return {k: v for k, v in self.identity().items() if k not in skip}


class LinkSurvivorForm(forms.Form):
    consent_method = forms.ChoiceField(
        label=_("How the survivor agreed"), choices=RegistryConsentMethod.choices
    )
    consent_date = _date(_("Date of the agreement"))


class CaseEditForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    summary = _text(_("Summary (confidential)"))


class PlanForm(forms.Form):
    needs = _text(_("Needs identified"), required=True)
    goals = _text(_("Goals"), required=True)
    services_planned = forms.MultipleChoiceField(
        label=_("Services planned"),
        required=False,
        choices=list(PLANNABLE_SERVICES.items()),
        widget=forms.CheckboxSelectMultiple,
    )


class PlanActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=2000)
    responsible = UserChoiceField(label=_("Responsible person"), queryset=User.objects.none())
    due_date = _date(_("Due date"))

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        if colleagues is not None:
            self.fields["responsible"].queryset = colleagues


class FollowUpForm(forms.Form):
    date = _date(_("Date"))
    kind = forms.ChoiceField(label=_("Type"), choices=FollowUp.Kind.choices)
    notes = _text(_("Notes (confidential)"))
    next_date = _date(_("Next follow-up"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    text = _text(_("New note (confidential)"), required=True, rows=3)


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why the case closes"), choices=ClosureReason.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return to the caseworker"))],
        widget=forms.RadioSelect,
    )
    comment = _text(_("Comment (required when returning)"), rows=3)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TransferForm(forms.Form):
    to_owner = UserChoiceField(label=_("New caseworker"), queryset=User.objects.none())
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        if colleagues is not None:
            self.fields["to_owner"].queryset = colleagues


class MemberForm(forms.Form):
    user = UserChoiceField(label=_("Colleague"), queryset=User.objects.none())

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        if colleagues is not None:
            self.fields["user"].queryset = colleagues


def _choice(label, choices, required=False, help_text=""):
    blank = [] if required else [("", "—")]
    return forms.ChoiceField(
        label=label, choices=[*blank, *choices], required=required, help_text=help_text
    )


def _checkboxes(label, choices, help_text=""):
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


class IncidentForm(forms.Form):
    """The GBVIMS Incident Recording Form, in short groups for a phone (`FIELDSETS`)."""

    incident_date = _date(_("Date of the incident"))
    report_date = _date(_("Date of the report"))
    type = forms.ChoiceField(label=_("Incident type (GBVIMS)"), choices=IncidentType.choices)
    context = _checkboxes(
        _("Context"), IncidentContext.choices, help_text=_("Tick every answer that applies.")
    )
    account = _text(_("Account of the incident (confidential)"))
    country = forms.ChoiceField(label=_("Country where it happened"), choices=())
    area = forms.ModelChoiceField(
        label=_("Where it happened"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Only for a place in the office's country; leave it empty abroad."),
    )
    place_type = _choice(_("Type of place"), PlaceType.choices)
    time_of_day = _choice(_("Time of day"), TimeOfDay.choices)
    displacement_stage = _choice(
        _("Stage of displacement at the time of the incident"), DisplacementStage.choices
    )
    survivor_age = forms.IntegerField(
        label=_("Survivor's age at the incident"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=_("Worked out from the date of birth when the case has it."),
    )
    survivor_age_group = _choice(
        _("Survivor's age group at the incident, if the age is not known"),
        AgeGroup.choices,
        required=True,
    )
    survivor_marital_status = _choice(_("Survivor's marital status"), MaritalStatus.choices)
    survivor_ethnicity = _choice(
        _("Survivor's ethnicity (as the survivor self-identifies)"), Ethnicity.choices
    )
    previous_incidents = _choice(
        _("Has the survivor suffered previous incidents?"), YesNoUnknown.choices
    )
    perpetrator_count = forms.IntegerField(
        label=_("Number of alleged perpetrators"), min_value=1, max_value=99
    )
    perpetrator_sex = forms.ChoiceField(
        label=_("Sex of the alleged perpetrators"), choices=Incident.PerpetratorSex.choices
    )
    perpetrator_age_group = forms.ChoiceField(
        label=_("Age group of the alleged perpetrators"), choices=AgeGroup.choices
    )
    perpetrator_relationship = forms.ChoiceField(
        label=_("Relationship to the survivor"), choices=PerpetratorRelationship.choices
    )
    perpetrator_occupation = _choice(
        _("Main occupation of the alleged perpetrator"), PerpetratorOccupation.choices
    )
    former_perpetrator = _choice(
        _("Did the alleged perpetrator commit a former incident against the survivor?"),
        YesNoUnknown.choices,
    )
    referred_by = _choice(_("Who referred the survivor to us?"), ReferredBy.choices)
    reported_elsewhere = _choice(
        _("Has the survivor reported this incident anywhere else?"), YesNoUnknown.choices
    )
    reported_to = _checkboxes(_("If so, to what kind of service"), ReportedTo.choices)
    reported_to_gbvims_agency = forms.BooleanField(
        label=_("One of them is an agency of the GBVIMS"),
        required=False,
        help_text=_("That agency counts the incident: our statistics leave it out."),
    )
    services_received = _checkboxes(_("Services already received"), GBVService.choices)
    referral_consent = _checkboxes(_("The survivor consents to be referred to"), GBVService.choices)
    wants_legal_action = _choice(
        _("Does the survivor want to take legal action?"), LegalAction.choices
    )
    statistics_consent = forms.BooleanField(
        label=_(
            "The survivor agrees that the incident is counted, without their name, in statistics"
        ),
        required=False,
    )

    FIELDSETS = [
        (
            _("The incident"),
            ["incident_date", "report_date", "type", "context", "account"],
        ),
        (
            _("Where and when"),
            ["country", "area", "place_type", "time_of_day", "displacement_stage"],
        ),
        (
            _("The survivor"),
            [
                "survivor_age",
                "survivor_age_group",
                "survivor_marital_status",
                "survivor_ethnicity",
                "previous_incidents",
            ],
        ),
        (
            _("Alleged perpetrators"),
            [
                "perpetrator_count",
                "perpetrator_sex",
                "perpetrator_age_group",
                "perpetrator_relationship",
                "perpetrator_occupation",
                "former_perpetrator",
            ],
        ),
        (
            _("Reporting and services"),
            [
                "referred_by",
                "reported_elsewhere",
                "reported_to",
                "reported_to_gbvims_agency",
                "services_received",
                "referral_consent",
                "wants_legal_action",
            ],
        ),
        (_("Consent"), ["statistics_consent"]),
    ]

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
        if areas is not None:
            self.fields["area"].queryset = areas

    def fieldsets(self) -> list[tuple[str, list]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]


class StatisticsForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


def _month_field() -> forms.RegexField:
    return forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-\d{2}$",
        widget=forms.TextInput(attrs={"type": "month"}),
        error_messages={"invalid": _("Choose a month.")},
    )


class IncidentRecorderForm(forms.Form):
    """The month and offices of an Incident Recorder export; the view passes the offices."""

    month = _month_field()
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices"),
        queryset=Office.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = offices  # type: ignore[attr-defined]


class PrepareReleaseForm(forms.Form):
    """The month and scope of monthly tables; the view passes the choices of scope."""

    month = _month_field()
    scope = forms.ChoiceField(label=_("Tables of"), widget=forms.RadioSelect)

    def __init__(self, *args, scopes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes  # type: ignore[attr-defined]


def _radios(label, choices, required=True):
    return forms.ChoiceField(
        label=label, choices=choices, required=required, widget=forms.RadioSelect
    )


_YES_NO_UNKNOWN = [("", _("Not asked yet")), ("true", _("Yes")), ("false", _("No"))]


class _ChildConsentFields(forms.Form):
    """What a child's consent records, whoever gives it."""

    individual = forms.TypedChoiceField(label=_("Child"), coerce=int)
    child_assent = forms.BooleanField(label=_("The child gave informed assent"), required=False)
    method = _radios(_("How"), ConsentManner.choices)
    given_on = _date(_("Date"))
    purposes = forms.MultipleChoiceField(
        label=_("Consent to"),
        choices=ConsentPurpose.choices,
        initial=ConsentPurpose.values,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, people=(), walk_in=False, **kwargs):
        kwargs.setdefault("initial", {"given_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if walk_in:  # the case's own survivor
            del self.fields["individual"]
        else:
            self.fields["individual"].choices = [(p.pk, p.choice_label) for p in people]


class ChildConsentForm(_ChildConsentFields):
    given_by = _radios(
        _("Consent given by"),
        [(v, label) for v, label in ConsentGiver.choices if v != ConsentGiver.BEST_INTERESTS],
    )
    caregiver_relationship = forms.ChoiceField(
        label=_("Caregiver's relationship to the child"),
        choices=[("", "—"), *CaregiverRelationship.choices],
        required=False,
    )
    caregiver_in_interest = forms.BooleanField(
        label=_("The caregiver is not the alleged perpetrator and acts in the child's interest"),
        help_text=_("Needed at 15–17, when the adolescent cannot consent and the caregiver does."),
        required=False,
    )
    field_order = [
        "individual",
        "given_by",
        "caregiver_relationship",
        "caregiver_in_interest",
        "child_assent",
    ]


class AdolescentIncapacityForm(_ChildConsentFields):
    """Why an adolescent of 15–17 cannot consent now: only the child, the reason, the date."""

    why = _radios(
        _("Why the adolescent cannot give informed consent now"), AdolescentUnable.choices
    )
    details = _text(_("What you observed (confidential)"), required=True, rows=3)
    noted_on = _date(_("Date"))
    field_order = ["individual", "why", "details", "noted_on"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"noted_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        for name in ("child_assent", "method", "given_on", "purposes"):
            del self.fields[name]


class ConsentWithdrawalForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Consent withdrawn for"),
        choices=[("", _("Every referral")), *GBVService.choices],
        required=False,
    )
    withdrawn_by = _radios(_("Withdrawn by"), ConsentWithdrawer.choices)
    withdrawn_on = _date(_("Date of the withdrawal"))
    withdraw_referrals = forms.BooleanField(
        label=_("Withdraw these referrals and tell the partner"),
        required=False,
        help_text=_(
            "Those the withdrawal covers, and the referrals partners made onward from them. "
            "The partner sees that the referral was withdrawn, and no longer sees what was "
            "shared."
        ),
    )


class ConsentRenewalForm(forms.Form):
    renewed_on = _date(_("Consent given again on"))


class BestInterestsForm(_ChildConsentFields):
    caregiver_unsuitable = _radios(
        _("Why the caregiver cannot consent"), CaregiverUnsuitable.choices
    )
    reason = _text(_("Reasons for the decision (confidential)"), required=True)
    field_order = ["individual", "caregiver_unsuitable", "reason", "child_assent"]


class ServiceDecisionForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    outcome = _radios(_("What became of it"), ServiceOutcome.choices)
    decided_on = _date(_("Date"))


class MandatoryReportingForm(forms.Form):
    confidentiality_explained_on = _date(_("Limits of confidentiality explained on"))
    caregiver_informed = forms.BooleanField(label=_("The caregiver was told too"), required=False)
    mandatory_report = _radios(_("Mandatory report"), MandatoryReport.choices)
    report_authority = forms.CharField(
        label=_("Reported to (authority)"), max_length=200, required=False
    )
    report_date = _date(_("Date of the report"), required=False)


def _yes_no(label):
    return forms.TypedChoiceField(
        label=label,
        choices=_YES_NO_UNKNOWN,
        required=False,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
    )


class SafeContactForm(forms.Form):
    may_call = _yes_no(_("May we call the survivor?"))
    may_leave_message = _yes_no(_("May we leave a message?"))
    safe_contact = _text(_("When to call; a safe person to go through (confidential)"), rows=3)


class SafetyPlanForm(forms.Form):
    safety_plan = _text(_("Safety plan (confidential)"), required=True, rows=6)
    safety_plan_review_on = _date(_("Review the plan on"), required=False)
