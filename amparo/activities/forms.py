"""Forms for services given. They parse; the actions validate and explain."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from amparo.activities.models import GROUP_TYPES, ActivityType, AgeBand, Attendance, Sector
from amparo.core.forms import OfficeFilterForm, PeriodFilterForm
from amparo.core.models import Office, User

MAX_PARTICIPANTS = 500

TYPE_CHOICES = [
    ("", "—"),
    (_("Individual services"), [c for c in ActivityType.choices if c[0] not in GROUP_TYPES]),
    (_("Group activities"), [c for c in ActivityType.choices if c[0] in GROUP_TYPES]),
]


def cell_name(sex: str, age_band: str) -> str:
    """The form field of one cell of the attendance grid ('60+' is not a tidy HTML id)."""
    return f"count_{sex}_{age_band.replace('-', '_').replace('+', 'plus')}"


class StaffChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user: User) -> str:
        return user.get_full_name() or user.get_username()


class UUIDListField(forms.Field):
    """Several ids sent under one name (checkboxes rendered by the template)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Choose people from the list.")}

    def to_python(self, value) -> list[uuid.UUID]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            ids = list(dict.fromkeys(uuid.UUID(str(v).strip()) for v in value))
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if len(ids) > MAX_PARTICIPANTS:
            raise ValidationError(
                _("Choose at most %(max)d registered participants.") % {"max": MAX_PARTICIPANTS}
            )
        return ids


class ActivityForm(forms.Form):
    type = forms.ChoiceField(label=_("Service or activity"), choices=TYPE_CHOICES)
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Office.objects.none(), to_field_name="uuid", empty_label="—"
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "—"), *Sector.choices])
    programme = forms.CharField(label=_("Programme or project"), required=False, max_length=120)
    staff = StaffChoice(
        label=_("Staff"),
        queryset=User.objects.none(),
        to_field_name="uuid",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    case = forms.UUIDField(required=False, widget=forms.HiddenInput)
    participants = UUIDListField(label=_("Registered participants"), required=False)
    household = forms.CharField(
        label=_("Household reference"),
        required=False,
        max_length=32,
        help_text=_("Shows the members of the household, to tick who took part."),
    )

    # The first fieldset of the page; the sexes are the columns of the attendance grid.
    MAIN = ("type", "date", "office", "sector", "programme")
    SEXES = Attendance.Sex.choices

    def __init__(self, *args, offices=None, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices if offices is not None else Office.objects.none()
        self.fields["staff"].queryset = staff if staff is not None else User.objects.none()
        self.counts_errors: list[str] = []
        for sex, sex_label in Attendance.Sex.choices:
            for band, band_label in AgeBand.choices:
                label = format_lazy("{}, {}", sex_label, band_label)
                self.fields[cell_name(sex, band)] = forms.IntegerField(
                    label=label,
                    required=False,
                    # No min_value: the action explains negatives together with the rest.
                    widget=forms.NumberInput(
                        attrs={"min": 0, "inputmode": "numeric", "aria-label": label}
                    ),
                )

    def grid(self) -> list[tuple[str, list]]:
        """Rows of the attendance grid: (age band label, the bound fields per sex)."""
        return [
            (label, [self[cell_name(sex, band)] for sex in Attendance.Sex.values])
            for band, label in AgeBand.choices
        ]

    def counts(self) -> dict[tuple[str, str], int | None]:
        return {
            (sex, band): self.cleaned_data.get(cell_name(sex, band))
            for sex in Attendance.Sex.values
            for band in AgeBand.values
        }

    def place_action_error(self, path: str, message: str) -> bool:
        """An action's error on a grid cell goes next to the cell; on the grid, above it."""
        if path == "counts":
            self.counts_errors.append(message)
            return True
        sex, _dot, band = path.removeprefix("counts.").partition(".")
        if path.startswith("counts.") and cell_name(sex, band) in self.fields:
            self.add_error(cell_name(sex, band), message)
            return True
        return False


class ActivityFilterForm(PeriodFilterForm, OfficeFilterForm):
    type = forms.ChoiceField(
        label=_("Service or activity"),
        required=False,
        choices=[("", _("All")), *TYPE_CHOICES[1:]],
    )
    field_order = ["since", "until", "type", "office"]

    def narrow(self, qs):
        """Apply the chosen filters to an already scoped queryset of activities."""
        data = self.cleaned_data
        if data.get("since"):
            qs = qs.filter(date__gte=data["since"])
        if data.get("until"):
            qs = qs.filter(date__lte=data["until"])
        if data.get("type"):
            qs = qs.filter(type=data["type"])
        if data.get("office"):
            qs = qs.filter(office=data["office"])
        return qs
