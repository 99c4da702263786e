"""Input rules shared by the form, the API and imports: one member, every problem listed."""

import datetime
from collections.abc import Mapping
from typing import Any

import pycountry
from django.utils.translation import gettext as _

from amparo.core.errors import Errors
from amparo.registry import normalize
from amparo.registry.models import (
    SPECIFIC_NEEDS,
    WG_FIELDS,
    Difficulty,
    Document,
    Individual,
)

MAX_AGE = 120


# Choice sets as frozensets: `Choices.values` builds a new list at every call (bulk imports).
_SEXES = frozenset(Individual.Sex.values)


_GROUPS = frozenset(Individual.PopulationGroup.values)


_RELATIONSHIPS = frozenset(Individual.Relationship.values)


_DIFFICULTIES = frozenset(Difficulty.values)


_DOCUMENT_TYPES = frozenset(Document.Type.values)


class DuplicatesSuspected(Exception):
    """Possible duplicates exist; registering needs a reason. `reports[i]` is member i's."""

    def __init__(self, reports: list):
        super().__init__("possible duplicates")
        self.reports = reports


class _Errors(Errors):
    """`Errors` under its old name and `by_field` attribute, for the two callers outside this
    package that still use them (registry/imports.py, demo/registry.py). Remove when they
    use `amparo.core.errors.Errors`."""

    @property
    def by_field(self) -> dict[str, list[str]]:
        return self


def _country(code: Any) -> str | None:
    code = str(code or "").strip().upper()
    return code if len(code) == 2 and pycountry.countries.get(alpha_2=code) else None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _text(data: Mapping, key: str, limit: int) -> str:
    return " ".join(str(data.get(key) or "").split())[:limit]


def clean_member(
    data: Mapping,
    *,
    index: int | None = None,
    region: str,
    today: datetime.date,
    errors: Errors,
) -> dict:
    """Validate and normalize one member; problems go to `errors` under members.<index>.*,
    or under the bare field names for one person on their own (`index` None)."""
    path = "" if index is None else f"members.{index}."
    out: dict[str, Any] = {}
    for key, label_limit in (("given_names", 100), ("first_surname", 100)):
        out[key] = _text(data, key, label_limit)
        if not out[key]:
            errors.add(path + key, _("This field is required."))
    out["second_surname"] = _text(data, "second_surname", 100)
    out["other_names"] = _text(data, "other_names", 200)

    sex = str(data.get("sex") or "").upper()
    if sex not in _SEXES:
        errors.add(path + "sex", _("Choose F, M or X."))
    out["sex"] = sex

    dob = _date(data.get("date_of_birth")) if data.get("date_of_birth") else None
    estimated = bool(data.get("dob_estimated"))
    age = data.get("age")
    if dob is None and data.get("date_of_birth"):
        errors.add(path + "date_of_birth", _("Enter a date as YYYY-MM-DD."))
    elif dob is None and age not in (None, ""):
        try:
            years = int(age)
        except (TypeError, ValueError):
            years = -1
        if not 0 <= years <= MAX_AGE:
            errors.add(path + "age", _("Enter an age between 0 and %(max)d.") % {"max": MAX_AGE})
        else:
            dob, estimated = datetime.date(today.year - years, 7, 1), True
            if dob > today:
                dob = datetime.date(today.year - years - 1, 7, 1)
    elif dob is None:
        errors.add(path + "date_of_birth", _("Enter the date of birth or the age."))
    if dob is not None:
        if dob > today:
            errors.add(path + "date_of_birth", _("The date of birth is in the future."))
        elif today.year - dob.year > MAX_AGE:
            errors.add(
                path + "date_of_birth",
                _("This would make the person older than %(max)d.") % {"max": MAX_AGE},
            )
    out["date_of_birth"], out["dob_estimated"] = dob, estimated

    nationality = _country(data.get("nationality"))
    if nationality is None:
        errors.add(path + "nationality", _("Choose a country (ISO 3166-1 code such as VE)."))
    out["nationality"] = nationality or ""

    group = str(data.get("population_group") or "")
    if group not in _GROUPS:
        errors.add(path + "population_group", _("Choose a population group."))
    out["population_group"] = group

    relationship = str(data.get("relationship") or "")
    if relationship not in _RELATIONSHIPS:
        errors.add(path + "relationship", _("Choose the relationship to the head."))
    out["relationship"] = relationship

    phone = str(data.get("phone") or "").strip()
    out["phone"] = ""
    if phone:
        try:
            out["phone"] = normalize.phone_e164(phone, region)
        except normalize.InvalidPhone:
            errors.add(
                path + "phone",
                _("This is not a valid phone number for %(country)s.") % {"country": region},
            )

    needs = data.get("specific_needs") or []
    if isinstance(needs, str):
        needs = [n.strip() for n in needs.replace(";", ",").split(",") if n.strip()]
    unknown = [n for n in needs if n not in SPECIFIC_NEEDS]
    if unknown:
        errors.add(
            path + "specific_needs",
            _("Unknown specific needs: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    out["specific_needs"] = sorted(set(needs) - set(unknown))

    languages = data.get("languages") or []
    if isinstance(languages, str):
        languages = [x.strip() for x in languages.replace(";", ",").split(",") if x.strip()]
    bad_languages = [
        x
        for x in languages
        if not pycountry.languages.get(alpha_2=str(x).lower())
        and not pycountry.languages.get(alpha_3=str(x).lower())
    ]
    if bad_languages:
        errors.add(
            path + "languages",
            _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(map(str, bad_languages))},
        )
    out["languages"] = [str(x).lower() for x in languages if x not in bad_languages]
    for wg in WG_FIELDS:
        answer = str(data.get(wg) or "")
        if answer and answer not in _DIFFICULTIES:
            errors.add(path + wg, _("Choose none, some, a_lot or cannot."))
        out[wg] = answer if answer in _DIFFICULTIES else ""
    if "disability" not in out["specific_needs"] and any(
        out[wg] in (Difficulty.A_LOT, Difficulty.CANNOT) for wg in WG_FIELDS
    ):
        out["specific_needs"] = sorted([*out["specific_needs"], "disability"])

    out["contact_consent"] = bool(data.get("contact_consent"))
    out["data_sharing_consent"] = bool(data.get("data_sharing_consent"))
    out["consent_purpose"] = _text(data, "consent_purpose", 200)

    out["documents"] = []
    for d_index, doc in enumerate(data.get("documents") or []):
        d_path = f"{path}documents.{d_index}."
        doc_type = str(doc.get("type") or "")
        if doc_type not in _DOCUMENT_TYPES:
            errors.add(d_path + "type", _("Choose a document type."))
        number = " ".join(str(doc.get("number") or "").split())[:40]
        if not normalize.document_key(number):
            errors.add(d_path + "number", _("Enter the document number."))
        country = _country(doc.get("issuing_country"))
        if country is None:
            errors.add(d_path + "issuing_country", _("Choose the issuing country."))
        expiry = _date(doc.get("expiry_date")) if doc.get("expiry_date") else None
        if doc.get("expiry_date") and expiry is None:
            errors.add(d_path + "expiry_date", _("Enter a date as YYYY-MM-DD."))
        out["documents"].append(
            {
                "type": doc_type,
                "number": number,
                "issuing_country": country or "",
                "expiry_date": expiry,
            }
        )
    return out
