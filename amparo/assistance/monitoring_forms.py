"""Forms of the reconciliation and monitoring screens (input only; the actions decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.assistance.models import CashUse, Problem


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SampleForm(forms.Form):
    size = forms.IntegerField(label=_("Number of households"), min_value=1, required=False)
    percent = forms.DecimalField(
        label=_("or a percentage of those served"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    by_day = forms.BooleanField(
        label=_("Stratified by distribution day"), required=False, initial=True
    )


class SurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        choices=[
            (5, _("5 · Very satisfied")),
            (4, _("4 · Satisfied")),
            (3, _("3 · Neither")),
            (2, _("2 · Unsatisfied")),
            (1, _("1 · Very unsatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    uses = forms.MultipleChoiceField(
        label=_("How the assistance was used"),
        choices=CashUse.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    problems = forms.MultipleChoiceField(
        label=_("Problems met"),
        choices=Problem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    problem_details = forms.CharField(
        label=_("Problems, in their words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    felt_safe = forms.TypedChoiceField(
        label=_("Felt safe going to and from the distribution point"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    complaint = forms.CharField(
        label=_("Complaint, if any"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
