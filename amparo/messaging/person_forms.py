"""The screens' forms of messaging."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.messaging.models import Channel, Template


class TemplateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Template) -> str:
        return f"{obj.name} ({obj.get_channel_display()})"


class PersonMessageForm(forms.Form):
    """A message to one person: a channel they have an address for, a template or a text."""

    channel = forms.ChoiceField(label=_("Send by"), widget=forms.RadioSelect)
    template = TemplateChoice(
        label=_("Template"),
        required=False,
        queryset=Template.objects.none(),
        empty_label=_("None: write the text"),
        to_field_name="uuid",
    )
    subject = forms.CharField(
        label=_("Subject (e-mail only)"),
        required=False,
        max_length=150,
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Leave it empty to send the template. You may write {first_name}, {office} or {date}."
        ),
    )

    def __init__(self, *args, channels: list[str], templates, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["channel"])
        field.choices = [(c, label) for c, label in Channel.choices if c in channels]
        if len(channels) == 1:
            field.initial = channels[0]
        template = cast(forms.ModelChoiceField, self.fields["template"])
        template.queryset = templates
