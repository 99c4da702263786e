"""Forms of the programme screens: projects, targeting rules, exceptions, cycles."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.activities.models import ActivityType
from amparo.activities.models import Sector as ServiceSector
from amparo.assistance.models import (
    AmountBasis,
    AssistanceType,
    IndicatorMeasure,
    Sector,
    TargetingException,
)
from amparo.cases.models import ClosureReason
from amparo.core.models import Office

DATE = forms.DateInput(attrs={"type": "date"})


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    donor = forms.CharField(label=_("Donor"), max_length=120, required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    offices = forms.ModelMultipleChoiceField(
        label=_("Offices"),
        queryset=Office.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    currency = forms.CharField(label=_("Budget currency"), max_length=3, initial="USD")
    target_households = forms.IntegerField(
        label=_("Target households"), min_value=0, required=False
    )
    target_items = forms.IntegerField(label=_("Target items"), min_value=0, required=False)

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offices"].queryset = offices if offices is not None else Office.objects.none()


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    criteria = forms.CharField(
        label=_("Criteria (JSON)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        initial="[]",
        max_length=20_000,
    )
    threshold = forms.IntegerField(label=_("Minimum score"), min_value=0, required=False)

    def clean_criteria(self):
        try:
            return json.loads(self.cleaned_data["criteria"])
        except ValueError as exc:
            raise forms.ValidationError(_("The criteria are not valid JSON.")) from exc


class ExceptionForm(forms.Form):
    reference = forms.CharField(label=_("Household reference"), max_length=32)
    kind = forms.ChoiceField(label=_("Decision"), choices=TargetingException.Kind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CycleForm(forms.Form):
    rule = forms.ModelChoiceField(
        label=_("Targeting rule"), queryset=None, to_field_name="uuid", empty_label=None
    )
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=None, to_field_name="uuid", empty_label=None
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    assistance_type = forms.ChoiceField(label=_("Assistance type"), choices=AssistanceType.choices)
    place = forms.CharField(label=_("Distribution point"), max_length=200, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Amount or quantity"), max_digits=12, decimal_places=2, min_value=0
    )
    amount_basis = forms.ChoiceField(label=_("Amount per"), choices=AmountBasis.choices)
    member_cap = forms.IntegerField(
        label=_("Count at most this many members"), min_value=1, max_value=100, required=False
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)

    def __init__(self, *args, rules, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules
        self.fields["office"].queryset = offices


class IndicatorForm(forms.Form):
    """The shape of an indicator; the action checks the rest (a positive target, whole
    numbers for counts)."""

    name = forms.CharField(label=_("Indicator"), max_length=120)
    measure = forms.ChoiceField(label=_("Measure"), choices=IndicatorMeasure.choices)
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)
    unit = forms.CharField(label=_("Unit (optional)"), max_length=30, required=False)
    # The one choice a measure counted by the reports needs (`MEASURE_NEEDS`).
    sector = forms.ChoiceField(
        label=_("Sector (people reached in a sector)"),
        choices=[("", "—"), *Sector.choices, *ServiceSector.choices],
        required=False,
    )
    activity_type = forms.ChoiceField(
        label=_("Service or activity (its participants)"),
        choices=[("", "—"), *ActivityType.choices],
        required=False,
    )
    closure_reason = forms.ChoiceField(
        label=_("Outcome (cases closed with it)"),
        choices=[("", "—"), *ClosureReason.choices],
        required=False,
    )
