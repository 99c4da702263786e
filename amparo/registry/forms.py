"""Registration and search forms. They parse; the registry's actions validate and explain."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import show_errors
from amparo.core.models import Area
from amparo.core.names import country_choices
from amparo.registry.fields import FIRST_DOCUMENT
from amparo.registry.models import (
    SPECIFIC_NEEDS,
    WG_FIELDS,
    Difficulty,
    Document,
    Household,
    Individual,
)
from amparo.registry.queries import may_search_by_need, search_by_need

AGE_BANDS = {
    "0-4": (0, 4),
    "5-11": (5, 11),
    "12-17": (12, 17),
    "18-59": (18, 59),
    "60+": (60, 130),
}


def age_band_range(band: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Dates of birth (earliest, latest) of people whose age falls in `band`."""
    low, high = AGE_BANDS[band]
    latest = years_before(today, low)
    earliest = years_before(today, high + 1) + datetime.timedelta(days=1)
    return earliest, latest


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, area) -> str:
        return (
            f"{area.parent.display_name} › {area.display_name}"
            if area.level > 1
            else (area.display_name)
        )


def areas_of(country_code: str):
    """First- and second-level areas of a country, for a single select (province › canton)."""
    return (
        Area.objects.filter(country_code=country_code, level__in=(1, 2))
        .select_related("parent")
        .order_by("parent__name", "level", "name")
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, document, phone or reference"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autofocus": True,
                "placeholder": _("e.g. Enrique Flores 07/03/1985"),
            }
        ),
    )
    office = forms.ChoiceField(label=_("Office"), required=False)
    population_group = forms.ChoiceField(
        label=_("Population group"),
        required=False,
        choices=[("", _("All")), *Individual.PopulationGroup.choices],
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", _("All")), *Individual.Sex.choices]
    )
    age = forms.ChoiceField(
        label=_("Age"), required=False, choices=[("", _("All")), *((b, b) for b in AGE_BANDS)]
    )
    born = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    need = forms.ChoiceField(
        label=_("Specific need"), required=False, choices=[("", _("All")), *SPECIFIC_NEEDS.items()]
    )

    area = AreaChoice(
        label=_("Area"), queryset=Area.objects.none(), required=False, to_field_name="code"
    )

    def __init__(self, *args, offices=(), country="EC", user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["office"].choices = [("", _("All offices"))] + [
            (o.code, o.name) for o in offices
        ]
        self.fields["area"].queryset = areas_of(country)
        self.fields["need"].choices = [
            ("", _("All")),
            *(
                (code, name)
                for code, name in SPECIFIC_NEEDS.items()
                if may_search_by_need(user, code)
            ),
        ]

    def narrow(self, qs):
        """Apply the chosen filters to an already scoped queryset of individuals."""
        data = self.cleaned_data
        if data.get("office"):
            qs = qs.filter(household__office__code=data["office"])
        if data.get("area"):
            area = data["area"]
            qs = qs.filter(Q(household__area=area) | Q(household__area__parent=area))
        if data.get("population_group"):
            qs = qs.filter(population_group=data["population_group"])
        if data.get("sex"):
            qs = qs.filter(sex=data["sex"])
        if data.get("age"):
            earliest, latest = age_band_range(data["age"], timezone.localdate())
            qs = qs.filter(date_of_birth__gte=earliest, date_of_birth__lte=latest)
        if data.get("born"):
            qs = qs.filter(date_of_birth=data["born"])
        if data.get("need"):
            qs = search_by_need(self.user, qs, data["need"])
        return qs


class HouseholdForm(forms.Form):
    area = AreaChoice(
        label=_("Area (province or canton)"),
        queryset=Area.objects.none(),
        required=False,
        to_field_name="code",
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    phone = forms.CharField(label=_("Household phone"), required=False, max_length=40)
    duplicate_reason = forms.CharField(
        label=_("Why register anyway?"),
        required=False,
        max_length=300,
        help_text=_("Only if the possible duplicates shown are different people."),
    )

    def __init__(self, *args, members: forms.BaseFormSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members  # the registration page's member forms

    @property
    def member_forms(self) -> list["MemberForm"]:
        """The members to register, in order: every form but those added and left empty."""
        if self.members is None:
            return []
        return [f for f in self.members.forms if not (f.empty_permitted and not f.has_changed())]

    def place_action_error(self, path: str, message: str) -> bool:
        """`members.<i>.<field>` goes to member i's form, `members` above the members."""
        head, _dot, rest = path.partition(".")
        if head != "members" or self.members is None:
            return False
        index, _dot, field = rest.partition(".")
        if index.isdigit() and field:
            show_errors(self.member_forms[int(index)], {field: [message]})
        else:
            self.members.non_form_errors().append(message)
        return True


class MemberForm(forms.Form):
    given_names = forms.CharField(label=_("Given names"), max_length=100)
    first_surname = forms.CharField(label=_("First surname"), max_length=100)
    second_surname = forms.CharField(label=_("Second surname"), required=False, max_length=100)
    other_names = forms.CharField(label=_("Other names or aliases"), required=False, max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Individual.Sex.choices])
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    age = forms.IntegerField(label=_("or age in years"), required=False, min_value=0, max_value=130)
    nationality = forms.ChoiceField(label=_("Nationality"), choices=country_choices)
    population_group = forms.ChoiceField(
        label=_("Population group"), choices=[("", "—"), *Individual.PopulationGroup.choices]
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the head"),
        choices=[("", "—"), *Individual.Relationship.choices],
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    # Checked by the registry's rules (clean_member), like the phone.
    email = forms.CharField(
        label=_("E-mail"), required=False, max_length=254, widget=forms.EmailInput
    )
    document_type = forms.ChoiceField(
        label=_("Document"), required=False, choices=[("", _("None")), *Document.Type.choices]
    )
    document_number = forms.CharField(label=_("Document number"), required=False, max_length=40)
    document_country = forms.ChoiceField(
        label=_("Issued by"), required=False, choices=country_choices
    )
    specific_needs = forms.MultipleChoiceField(
        label=_("Specific needs"),
        required=False,
        choices=list(SPECIFIC_NEEDS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "“Survivor of violence or torture”: the protection team will be told. Afterwards "
            "only the office's GBV team sees it."
        ),
    )
    languages = forms.CharField(
        label=_("Languages (ISO codes, comma-separated)"),
        required=False,
        max_length=100,
        help_text=_("e.g. es, ht"),
    )
    wg_seeing = forms.ChoiceField(
        label=_("Difficulty seeing, even with glasses"),
        required=False,
        choices=[("", "—"), *Difficulty.choices],
    )
    wg_hearing = forms.ChoiceField(
        label=_("Difficulty hearing, even with a hearing aid"),
        required=False,
        choices=[("", "—"), *Difficulty.choices],
    )
    wg_walking = forms.ChoiceField(
        label=_("Difficulty walking or climbing steps"),
        required=False,
        choices=[("", "—"), *Difficulty.choices],
    )
    wg_cognition = forms.ChoiceField(
        label=_("Difficulty remembering or concentrating"),
        required=False,
        choices=[("", "—"), *Difficulty.choices],
    )
    wg_selfcare = forms.ChoiceField(
        label=_("Difficulty with self-care (washing, dressing)"),
        required=False,
        choices=[("", "—"), *Difficulty.choices],
    )
    wg_communication = forms.ChoiceField(
        label=_("Difficulty communicating"),
        required=False,
        choices=[("", "—"), *Difficulty.choices],
    )
    contact_consent = forms.BooleanField(label=_("Agrees to be contacted"), required=False)
    data_sharing_consent = forms.BooleanField(label=_("Agrees to data sharing"), required=False)

    def as_member(self) -> dict:
        """The member as the registry's actions take it."""
        data = dict(self.cleaned_data)
        doc_type = data.pop("document_type")
        number = data.pop("document_number")
        country = data.pop("document_country") or data.get("nationality")
        data["documents"] = (
            [{"type": doc_type, "number": number, "issuing_country": country}]
            if doc_type or number
            else []
        )
        if data["date_of_birth"] is None:
            data.pop("date_of_birth")
        return data

    # Shown folded on the registration page, to keep it short on a phone.
    MORE = ("other_names", "languages", *WG_FIELDS, "specific_needs")
    # A family usually shares these: a member added on the registration page starts with the
    # head's answers (the page's script, or the server without it).
    FROM_HEAD = ("nationality", "population_group")

    def has_changed(self) -> bool:
        """A member added and left empty is not a member, though it has the head's answers."""
        return any(name not in self.FROM_HEAD for name in self.changed_data)

    @property
    def more_has_errors(self) -> bool:
        """Whether a folded field was refused (the page then shows them unfolded)."""
        return self.is_bound and any(name in self.errors for name in self.MORE)

    def place_action_error(self, path: str, message: str) -> bool:
        """The first document's errors go next to the document fields."""
        if path in FIRST_DOCUMENT:
            self.add_error(FIRST_DOCUMENT[path], message)
            return True
        return False


class HouseholdEditForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Household.Status.choices)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    phone = forms.CharField(label=_("Household phone"), required=False, max_length=40)


class MoveForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the household to move to"), max_length=32)
    relationship = forms.ChoiceField(
        label=_("Relationship to that household's head"),
        choices=[("", "—"), *Individual.Relationship.choices],
    )

    def place_action_error(self, path: str, message: str) -> bool:
        """What is wrong with the household to move to goes next to its reference."""
        if path != "relationship":
            self.add_error("reference", message)
            return True
        return False


MemberFormSet = forms.formset_factory(
    MemberForm, extra=0, min_num=1, max_num=20, validate_min=True, validate_max=True
)
STATUS_CHOICES = Household.Status.choices
