"""What the generator produces: households and people, and the vocabularies of their fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

DEFAULT_OFFICES: tuple[str, ...] = (
    "hias-ec/quito",
    "hias-ec/lago-agrio",
    "iom-ec/quito",
    "iom-ec/tulcan",
    "iom-ec/huaquillas",
    "iom-ec/guayaquil",
    "iom-ec/manta",
    "iom-ec/san-lorenzo",
    "iom-ec/cuenca",
    "hias-pa/panama",
)
DEFAULT_TODAY = date(2026, 11, 1)

SEXES = ("F", "M", "X")
POPULATION_GROUPS = (
    "refugee",
    "asylum_seeker",
    "migrant_regular",
    "migrant_irregular",
    "returnee",
    "idp",
    "host_community",
)
RELATIONSHIPS = (
    "head",
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandchild",
    "other_relative",
    "non_relative",
)
DOCUMENT_TYPES = (
    "national_id",
    "passport",
    "refugee_id",
    "asylum_application",
    "visa",
    "birth_certificate",
    "other",
)
SPECIFIC_NEEDS = (
    "woman_at_risk",
    "uasc",
    "survivor_violence",
    "serious_medical",
    "older_at_risk",
    "single_parent",
    "disability",
    "trafficking_risk",
)


@dataclass(slots=True)
class Person:
    ref: str
    given_names: str
    first_surname: str
    second_surname: str
    sex: str
    date_of_birth: date
    dob_estimated: bool
    nationality: str
    population_group: str
    relationship: str
    phone: str
    document_type: str
    document_number: str
    document_country: str
    specific_needs: tuple[str, ...]
    contact_consent: bool
    data_sharing_consent: bool

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.first_surname, self.second_surname) if p)

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass(slots=True)
class Household:
    ref: str
    office: str
    members: list[Person] = field(default_factory=list)
    registered_on: date = DEFAULT_TODAY

    @property
    def head(self) -> Person:
        return next(m for m in self.members if m.relationship == "head")
