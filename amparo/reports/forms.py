from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.core import access
from amparo.core.models import Office, User


class DashboardForm(forms.Form):
    """The month shown (its year to date too) and, for an organization-wide reader, one office."""

    month = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )
    office = forms.ModelChoiceField(
        label=gettext_lazy("Office"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=gettext_lazy("All offices"),
        to_field_name="uuid",
    )

    def __init__(self, *args, user: User, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["office"].queryset = access.visible(  # type: ignore[attr-defined]
            user, Office.objects.filter(is_active=True), office_field="pk"
        )

    def clean_month(self) -> datetime.date:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return self.today.replace(day=1)
        try:
            month = datetime.datetime.strptime(text, "%Y-%m").date()  # noqa: DTZ007 - a date
        except ValueError:
            raise forms.ValidationError(_("Enter a month as year-month, e.g. 2026-11.")) from None
        if not 2000 <= month.year <= 2999:
            raise forms.ValidationError(_("Enter a month between 2000 and 2999."))
        return month
