from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.core import access
from amparo.core.errors import ActionError
from amparo.core.models import Office, User
from amparo.reports.queries import Period, check_dimensions
from amparo.reports.queries_5w import month_period


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


class FiveWForm(forms.Form):
    """The month of a 5W to prepare."""

    month = forms.CharField(label=gettext_lazy("Month"), max_length=7)

    def clean_month(self) -> str:
        text = self.cleaned_data["month"].strip()
        try:
            month_period(text)
        except ValueError:
            raise forms.ValidationError(_("Enter a month as year-month, e.g. 2026-11.")) from None
        return text


class ReachedTableForm(forms.Form):
    """People reached to prepare as a protected HXL table: the period (within ten years), the
    dimensions (`queries.DIMENSIONS`, comma-separated) and, for an organization-wide reader,
    one office of their scope."""

    since = forms.DateField(label=gettext_lazy("From"))
    until = forms.DateField(label=gettext_lazy("To"))
    by = forms.CharField(label=gettext_lazy("Count by"), max_length=200, required=False)
    office = forms.ModelChoiceField(
        label=gettext_lazy("Office"),
        queryset=Office.objects.none(),
        required=False,
        to_field_name="uuid",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = access.visible(  # type: ignore[attr-defined]
            user, Office.objects.all(), office_field="pk"
        )

    def clean_by(self) -> tuple[str, ...]:
        text = self.cleaned_data.get("by") or ""
        try:
            return check_dimensions([d.strip() for d in text.split(",") if d.strip()])
        except ActionError as exc:
            raise forms.ValidationError(exc.messages) from None

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until"):
            _check_period(self, data["since"], data["until"])
        return data


# What a list of people may carry out of Amparo, and nothing else (no documents, no needs,
# no case): the reader ticks only what the purpose needs.
EXPORT_FIELDS = [
    ("name", gettext_lazy("Name")),
    ("sex", gettext_lazy("Sex")),
    ("date_of_birth", gettext_lazy("Date of birth")),
    ("nationality", gettext_lazy("Nationality")),
    ("population_group", gettext_lazy("Population group")),
    ("household", gettext_lazy("Household")),
    ("phone", gettext_lazy("Phone")),
]


class PeopleExportForm(forms.Form):
    """Why the list leaves Amparo, and which of its fields: both recorded in the audit log."""

    purpose = forms.CharField(
        label=gettext_lazy("Purpose of the export"),
        min_length=10,
        max_length=300,
        help_text=gettext_lazy("Who will use the list, and for what. It is kept in the audit log."),
    )
    columns = forms.MultipleChoiceField(
        label=gettext_lazy("Fields"),
        choices=EXPORT_FIELDS,
        widget=forms.CheckboxSelectMultiple,
    )


class ProjectPeriodForm(forms.Form):
    """The period of a project's report: from its start to its end or today by default."""

    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, start: datetime.date, end: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.start, self.end = start, end

    def clean(self) -> dict:
        data = super().clean() or {}
        if self.errors:
            return data
        data["since"] = data.get("since") or self.start
        data["until"] = data.get("until") or self.end
        _check_period(self, data["since"], data["until"])
        return data


def _check_period(form: forms.Form, since: datetime.date, until: datetime.date) -> None:
    """A report's period, by the queries' own rule (`Period.checked`: in order, ten years at
    most), its refusals as the form's errors."""
    try:
        Period.checked(since, until)
    except ActionError as exc:
        for field, messages in exc.errors.items():
            form.add_error(field if field in form.fields else None, messages)
