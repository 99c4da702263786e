"""The public feedback page's forms (no sign-in): sending a message, and checking its status."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Office, Organization
from amparo.feedback.actions import MAX_CONTACT, MAX_TEXT
from amparo.feedback.models import SENSITIVE, Category

# The categories in the words of the people who write, each with a one-line hint.
CATEGORY_WORDS = {
    Category.QUESTION: (_("A question"), _("Something you want to know about our services.")),
    Category.SUGGESTION: (_("A suggestion"), _("An idea to do things better.")),
    Category.THANKS: (_("Thanks"), _("Something that went well, or someone who helped you.")),
    Category.COMPLAINT: (
        _("A complaint about a service"),
        _("You were not served, or served late or badly."),
    ),
    Category.FRAUD: (
        _("Fraud, or someone charging for help"),
        _("Someone asked for money or a favour for help that is free, or cheated."),
    ),
    Category.SEA: (
        _("Sexual exploitation or abuse"),
        _("Someone working with an organization asked for sex or abused someone."),
    ),
    Category.STAFF_MISCONDUCT: (
        _("Bad conduct of a staff member"),
        _("A staff member or volunteer treated someone badly or broke the rules."),
    ),
}
SENSITIVE_NOTE = _("Goes only to the ethics team.")


class FeedbackForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[(c.value, CATEGORY_WORDS[c][0]) for c in Category],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the message is about."),
            "invalid_choice": _("Choose what the message is about."),
        },
    )
    text = forms.CharField(
        label=_("Your message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the message.")},
    )
    contact = forms.CharField(
        label=_("How can we reach you? (optional)"),
        required=False,
        max_length=MAX_CONTACT,
        help_text=_(
            "A phone number or an e-mail address, only if you want an answer that way. "
            "Leave it empty to stay anonymous."
        ),
    )
    organization = forms.ChoiceField(
        label=_("Which organization is it for?"),
        error_messages={
            "required": _("Choose the organization."),
            "invalid_choice": _("Choose the organization."),
        },
    )
    office = forms.ChoiceField(
        label=_("Where were you served? (optional)"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the organization's offices.")},
    )
    # The honeypot: hidden from people by the stylesheet (`.trap`), skipped by the keyboard,
    # and named for screen readers. Programs that fill every field fill it.
    leave_empty = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, organizations: list[Organization], offices: list[Office], **kw):
        super().__init__(*args, **kw)
        self.organizations = {o.code: o for o in organizations}
        self.offices = {str(o.uuid): o for o in offices}
        if len(organizations) > 1:
            org_field = cast(forms.ChoiceField, self.fields["organization"])
            org_field.choices = [("", _("Choose…")), *((o.code, o.name) for o in organizations)]
            groups: dict[str, list[tuple[str, str]]] = {}
            for office in offices:
                groups.setdefault(office.organization.name, []).append(
                    (str(office.uuid), office.name)
                )
            office_choices: list = [("", _("I prefer not to say")), *groups.items()]
        else:
            del self.fields["organization"]
            office_choices = [
                ("", _("I prefer not to say")),
                *((str(o.uuid), o.name) for o in offices),
            ]
        office_field = cast(forms.ChoiceField, self.fields["office"])
        office_field.choices = office_choices

    def categories(self) -> list[dict]:
        """The category's radios with their hints, for the template."""
        return [
            {
                "radio": radio,
                "hint": CATEGORY_WORDS[Category(radio.data["value"])][1],
                "sensitive": radio.data["value"] in SENSITIVE,
            }
            for radio in self["category"]
        ]

    @property
    def is_trap(self) -> bool:
        """Whether the honeypot was filled: a program, answered as if accepted."""
        return bool(self.data.get("leave_empty"))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "organization" in self.fields:
            organization = self.organizations.get(data.get("organization") or "")
        else:
            organization = next(iter(self.organizations.values()), None)
            if organization is None:
                raise forms.ValidationError(_("This page is not receiving messages yet."))
        office = self.offices.get(data.get("office") or "")
        if organization and office and office.organization_id != organization.pk:
            self.add_error("office", _("Choose an office of the organization you chose."))
        data["organization"], data["office"] = organization, office
        return data


class StatusForm(forms.Form):
    code = forms.CharField(
        label=_("Your tracking code"),
        max_length=40,
        help_text=_("The 12 letters and numbers you wrote down, for example K7M2-9QXD-4T8P."),
        error_messages={"required": _("Type your tracking code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
