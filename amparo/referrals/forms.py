"""Referral forms. They parse; the referral actions check consent, states and scope."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.cases.models import RiskLevel, ServiceType
from amparo.referrals.models import (
    ANSWERS,
    INTAKE_LINK_DEFAULT_HOURS,
    INTAKE_LINK_MAX_HOURS,
    INTAKE_TEXT_LIMITS,
    SHAREABLE_FIELDS,
    AgeGroup,
    ContactBy,
    IntakeClosure,
    IntakeSex,
    IntakeUrgency,
    Referral,
    ReferralState,
    Urgency,
    WithdrawReason,
)

CROSS_BORDER = _(
    "Only for a service in another country: the person agrees that their information goes to "
    "an agency in that country."
)


class ReferralForm(forms.Form):
    individual = forms.TypedChoiceField(label=_("Person referred"), coerce=int)
    service = forms.TypedChoiceField(label=_("Refer to"), coerce=int)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="routine")
    reason = forms.CharField(
        label=_("Reason for the referral"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The recipient reads this: write only what they need."),
    )
    shared_fields = forms.MultipleChoiceField(
        label=_("Information shared with the recipient"),
        required=False,
        choices=list(SHAREABLE_FIELDS.items()),
        initial=["name", "sex", "age", "phone"],
        widget=forms.CheckboxSelectMultiple,
    )
    consent = forms.BooleanField(
        label=_(
            "The person (or their guardian) gave informed consent to share this information "
            "with this service, for this referral."
        ),
        required=False,
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"), choices=Referral.ConsentMethod.choices
    )
    consent_date = forms.DateField(
        label=_("Date of consent"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cross_border_consent = forms.BooleanField(label=CROSS_BORDER, required=False)

    def __init__(self, *args, people=(), services=(), walk_in=False, restricted=False, **kwargs):
        kwargs.setdefault("initial", {"consent_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        shared = self.fields["shared_fields"]
        if restricted:  # the minimum by default: her case code, not her name
            shared.initial = ["case_code"]
            shared.help_text = _(
                "Share the survivor's name or contact only if the survivor chose it with you. "
                "Safe-contact instructions tell the partner how to reach the survivor without "
                "putting them at risk."
            )
        else:
            case_only = ("case_code", "safe_contact")
            shared.choices = [c for c in shared.choices if c[0] not in case_only]
        self.fields["individual"].choices = [(p.pk, p.choice_label) for p in people]
        if walk_in:  # the survivor of a walk-in case: the case holds who they are
            del self.fields["individual"]
        self.fields["service"].choices = [("", "—"), *services]


class PartnerReferralForm(ReferralForm):
    """For partner agencies without a registry: they describe the person themselves."""

    name = forms.CharField(label=_("Name"), max_length=200)
    sex = forms.CharField(label=_("Sex"), max_length=20, required=False)
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["individual"]
        del self.fields["shared_fields"]


class OnwardReferralForm(forms.Form):
    """A recipient refers the person on: only what the first referral shared, within the
    consent it carried (or with her new consent, recorded here)."""

    service = forms.TypedChoiceField(label=_("Refer to"), coerce=int)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="routine")
    reason = forms.CharField(
        label=_("Reason for the referral"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The recipient reads this: write only what they need."),
    )
    shared_fields = forms.MultipleChoiceField(
        label=_("Information shared with the recipient"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only what the first referral shared with you can be passed on."),
    )
    consent = forms.BooleanField(
        label=_(
            "The person gave their consent again, to be referred to this service (needed when "
            "their first consent did not cover this kind of service)."
        ),
        required=False,
    )
    consent_method = forms.ChoiceField(
        label=_("How consent was given"),
        choices=[("", "—"), *Referral.ConsentMethod.choices],
        required=False,
    )
    consent_date = forms.DateField(
        label=_("Date of consent"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cross_border_consent = forms.BooleanField(label=CROSS_BORDER, required=False)

    def __init__(self, *args, parent: Referral, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        shared = self.fields["shared_fields"]
        shared.choices = [(f, SHAREABLE_FIELDS[f]) for f in parent.shared_fields]
        shared.initial = list(parent.shared_fields)
        self.fields["service"].choices = [("", "—"), *services]


# The states a recipient's answer moves a referral to (a withdrawal is the sender's own form).
ANSWER_CHOICES = [(state.value, state.label) for state in ANSWERS]


class AnswerForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=ANSWER_CHOICES)
    note = forms.CharField(
        label=_("Reason or outcome"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is it withdrawn?"), choices=WithdrawReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed for another reason. The partner reads it, except when the person "
            "withdrew consent."
        ),
    )


class ReferralFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All"))] + ReferralState.choices
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)


# Intake from care posts (issue 11). The actions check everything again; these parse.


class IntakeLinkForm(forms.Form):
    label = forms.CharField(
        label=_("Care post or community network"),
        max_length=200,
        help_text=_("e.g. Puesto de cuidado Barrio Nueva Esperanza"),
    )
    provider = forms.TypedChoiceField(
        label=_("Provider of the Care Route (optional)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    hours = forms.IntegerField(
        label=_("Valid for (hours)"),
        min_value=1,
        max_value=INTAKE_LINK_MAX_HOURS,
        initial=INTAKE_LINK_DEFAULT_HOURS,
        help_text=_("At most 168 hours (seven days)."),
    )

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "—"), *[(p.pk, p.name) for p in providers]]


def _short(label, field: str, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=INTAKE_TEXT_LIMITS[field], **kwargs)


class IntakeForm(forms.Form):
    """The minimum a care post sends: the link's page and the printed form's entry."""

    alias = _short(
        _("What does the person want to be called?"),
        "alias",
        help_text=_("A first name or a nickname is enough."),
    )
    age_group = forms.ChoiceField(
        label=_("Age group"), choices=AgeGroup.choices, widget=forms.RadioSelect
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=IntakeSex.choices, widget=forms.RadioSelect)
    community = _short(_("Neighbourhood or community"), "community")
    needs = forms.MultipleChoiceField(
        label=_("What help does the person need?"),
        choices=ServiceType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"), choices=IntakeUrgency.choices, widget=forms.RadioSelect
    )
    contact_by = forms.ChoiceField(
        label=_("How can the GBV team contact the person safely?"),
        choices=ContactBy.choices,
        widget=forms.RadioSelect,
    )
    phone = _short(_("Phone"), "phone", required=False)
    may_call = forms.BooleanField(label=_("We may call"), required=False)
    may_leave_message = forms.BooleanField(label=_("We may leave a message"), required=False)
    safe_times = _short(
        _("When is it safe to make contact?"),
        "safe_times",
        required=False,
        help_text=_("e.g. weekday mornings, not at weekends"),
    )
    note = _short(
        _("Short note (optional)"),
        "note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Do not write who caused the harm or what happened: the caseworker asks in person."
        ),
    )
    consent = forms.BooleanField(
        label=_("The person agreed to be contacted by the office's GBV team."),
    )


class PaperIntakeForm(IntakeForm):
    label = forms.CharField(label=_("Received on paper from"), max_length=200)
    provider = forms.TypedChoiceField(
        label=_("Provider of the Care Route (optional)"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    field_order = ["label", "provider"]

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "—"), *[(p.pk, p.name) for p in providers]]


class IntakeCaseForm(forms.Form):
    """The walk-in case an intake becomes, filled from what the intake has."""

    given_names = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The name the survivor gives; it may be a first name only."),
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *IntakeSex.choices])
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices)
    summary = forms.CharField(
        label=_("Summary (confidential)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CloseIntakeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why is it closed?"), choices=IntakeClosure.choices)
