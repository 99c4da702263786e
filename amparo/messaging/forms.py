"""Forms of the campaign screens. They parse; the actions validate and explain."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.messaging.models import Channel, Template
from amparo.registry.models import Individual

# The languages a campaign may be narrowed to (the registry's codes).
LANGUAGES = [
    ("es", _("Spanish")),
    ("en", _("English")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
    ("ht", _("Haitian Creole")),
    ("qu", _("Quechua")),
    ("wayuu", _("Wayuunaiki")),
]

VARIABLES_HELP = _("You may use {first_name}, {office} and {date}.")


class TemplateForm(forms.Form):
    # Not required here: the action says what is missing, in the same words as the API.
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    subject_es = forms.CharField(
        label=_("Subject (Spanish)"),
        required=False,
        max_length=300,
        help_text=_("E-mail only."),
    )
    body_es = forms.CharField(
        label=_("Text (Spanish)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=VARIABLES_HELP,
    )
    subject_en = forms.CharField(
        label=_("Subject (English)"),
        required=False,
        max_length=300,
        help_text=_("E-mail only."),
    )
    body_en = forms.CharField(
        label=_("Text (English)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For people whose first language is English; empty: they get the Spanish."),
    )

    @classmethod
    def initial_from(cls, template: Template, **changes: str) -> dict[str, str]:
        initial = {name: getattr(template, name) for name in cls.base_fields}
        initial.update(changes)
        return initial


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=Template.objects.none(),
        to_field_name="uuid",
        empty_label="—",
        error_messages={"required": _("Choose a template.")},
    )
    offices = forms.MultipleChoiceField(
        label=_("Offices"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every office."),
    )
    areas = forms.MultipleChoiceField(
        label=_("Where they live"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("None chosen: anywhere."),
    )
    population_groups = forms.MultipleChoiceField(
        label=_("Population groups"),
        required=False,
        choices=Individual.PopulationGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages they speak"),
        required=False,
        choices=LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    project = forms.ChoiceField(label=_("Households entitled in the project"), required=False)
    heads_only = forms.BooleanField(label=_("Heads of household only"), required=False)

    def __init__(self, *args, templates=None, offices=None, areas=None, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        template = cast(forms.ModelChoiceField, self.fields["template"])
        template.queryset = templates if templates is not None else Template.objects.none()
        cast(forms.ChoiceField, self.fields["offices"]).choices = [
            (o.code, o.name) for o in offices or []
        ]
        cast(forms.ChoiceField, self.fields["areas"]).choices = [
            (a.code, a.name) for a in areas or []
        ]
        cast(forms.ChoiceField, self.fields["project"]).choices = [
            ("", _("Any")),
            *((p.code, f"{p.code} · {p.name}") for p in projects or []),
        ]

    def filters(self) -> dict[str, Any]:
        """The recipient filters as the action takes them (empty ones left out)."""
        data = self.cleaned_data
        filters: dict[str, Any] = {
            key: data[key]
            for key in ("offices", "areas", "population_groups", "languages", "project")
            if data.get(key)
        }
        if data.get("heads_only"):
            filters["heads_only"] = True
        return filters


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
