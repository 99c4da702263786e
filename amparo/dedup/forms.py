"""The reviewer's forms: which record to keep and, field by field, whose value; starting a
run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.dedup.actions import CHOICES

SIDES = [("first", _("Record 1")), ("second", _("Record 2"))]


class MergeForm(forms.Form):
    """`keep`: the record that stays; `take_<field>`: whose value it keeps (default its own)."""

    keep = forms.ChoiceField(label=_("Record to keep"), choices=SIDES, initial="first")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in CHOICES:
            self.fields[f"take_{key}"] = forms.ChoiceField(choices=SIDES, required=False)

    def choices(self) -> dict[str, str]:
        """The chosen values as the merge action reads them: "survivor" or "merged"."""
        keep = self.cleaned_data["keep"]
        taken = {key: self.cleaned_data.get(f"take_{key}") or keep for key in CHOICES}
        return {key: "survivor" if side == keep else "merged" for key, side in taken.items()}


class DecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[("different", _("Different people")), ("unsure", _("Not sure"))]
    )


class RunForm(forms.Form):
    threshold = forms.FloatField(
        label=_("Lowest match probability to review"),
        min_value=0.5,
        max_value=0.999,
        initial=0.9,
    )
    retrain = forms.BooleanField(
        label=_("Learn the model again from the registry as it is now"), required=False
    )
