"""Forms of the feedback inbox. They parse; the actions validate and explain."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import OfficeFilterForm
from amparo.core.models import Office, User
from amparo.feedback.models import Category, Channel, Priority, Satisfaction, Status

# Staff record what arrived through any channel but the public page.
STAFF_CHANNELS = [c for c in Channel.choices if c[0] != Channel.WEB]


class ColleagueChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        user = cast(User, obj)
        return user.get_full_name() or user.get_username()


class InboxFilterForm(OfficeFilterForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    field_order = ["status", "category", "channel", "office", "overdue"]

    def __init__(self, *args, categories=Category.choices, **kwargs):
        super().__init__(*args, **kwargs)
        category = cast(forms.ChoiceField, self.fields["category"])
        category.choices = [("", _("All")), *categories]

    def narrow(self, qs):
        """Apply the chosen filters to an already scoped queryset of entries."""
        data = self.cleaned_data
        for name in ("status", "category", "channel", "office"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        return qs


class ChangeForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class AssignForm(forms.Form):
    assigned_to = ColleagueChoice(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["assigned_to"])
        field.queryset = colleagues if colleagues is not None else User.objects.none()


class NoteForm(forms.Form):
    # Not required here: the action says what is missing, in the same words as the API.
    text = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the team only, never by the person."),
    )


class ReplyForm(forms.Form):
    public_reply = forms.CharField(
        label=_("Public reply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The person reads it with their tracking code. It replaces an earlier one."),
    )


class CloseForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Was the person satisfied with the answer?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the person was satisfied.")},
    )


class RecordForm(forms.Form):
    """Feedback that arrived through another channel (hotline, WhatsApp, a box, in person)."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", "—"), *STAFF_CHANNELS], required=False
    )
    office = forms.ModelChoiceField(
        label=_("Office that received it"),
        queryset=Office.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label="—",
    )
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", "—"), *Category.choices], required=False
    )
    text = forms.CharField(
        label=_("What the person said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    contact = forms.CharField(
        label=_("Contact details"),
        required=False,
        help_text=_("Only if the person wants an answer this way. Leave empty for anonymity."),
    )
    received_at = forms.DateTimeField(
        label=_("Received on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    individual = forms.CharField(
        label=_("Registered person (optional)"),
        required=False,
        max_length=64,
        help_text=_(
            "The person's id from their registry page, or their household's reference for the "
            "head of household."
        ),
    )

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["office"])
        field.queryset = offices if offices is not None else Office.objects.none()
