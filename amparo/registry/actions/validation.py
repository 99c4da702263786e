"""Input rules shared by the form, the API and imports: one member, every problem listed."""

import datetime
from collections.abc import Mapping
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
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
EMAIL_MAX_LENGTH = 254


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
    out: dict[str, Any] = dict(_names(data, errors, path))
    out["sex"] = _sex(data, errors, path)
    out["date_of_birth"], out["dob_estimated"] = _date_of_birth(data, today, errors, path)
    out["nationality"] = _nationality(data, errors, path)
    out["population_group"] = _population_group(data, errors, path)
    out["relationship"] = _relationship(data, errors, path)
    out["phone"] = _phone(data, region, errors, path)
    out["email"] = _email(data, errors, path)
    out["specific_needs"] = _specific_needs(data, errors, path)
    out["languages"] = _languages(data, errors, path)
    out |= _washington_group(data, errors, path)
    out["specific_needs"] = _with_disability(out["specific_needs"], out)
    out |= _consent(data)
    out["documents"] = [
        _document(doc, errors, f"{path}documents.{i}.")
        for i, doc in enumerate(data.get("documents") or [])
    ]
    return out


IDENTITY_KEYS = (
    "given_names",
    "first_surname",
    "second_surname",
    "other_names",
    "sex",
    "date_of_birth",
    "dob_estimated",
    "nationality",
    "phone",
    "languages",
)


def clean_identity(data: Mapping, *, region: str, today: datetime.date, errors: Errors) -> dict:
    """Who a person is, with the registry's own rules, for a record kept outside the registry
    (a walk-in survivor's GBV case): only a given name (or the name they give) is required;
    every other field is checked when given and left empty otherwise. The result has
    `IDENTITY_KEYS`, the date of birth as ISO text ("" when unknown), so that it can later be
    registered with `clean_member` as it is."""
    out: dict[str, Any] = {"given_names": _text(data, "given_names", 100)}
    if not out["given_names"]:
        errors.add("given_names", _("This field is required."))
    for key, size in (("first_surname", 100), ("second_surname", 100), ("other_names", 200)):
        out[key] = _text(data, key, size)
    out["sex"] = _sex(data, errors, "") if data.get("sex") else ""
    dob, estimated = None, False
    if data.get("date_of_birth") or data.get("age") not in (None, ""):
        dob, estimated = _date_of_birth(data, today, errors, "")
    out["date_of_birth"], out["dob_estimated"] = (dob.isoformat() if dob else ""), estimated
    out["nationality"] = _nationality(data, errors, "") if data.get("nationality") else ""
    out["phone"] = _phone(data, region, errors, "")
    out["languages"] = _languages(data, errors, "")
    return out


def _names(data: Mapping, errors: Errors, path: str) -> dict[str, str]:
    """Given names and first surname required; spaces collapsed; cut to the column size."""
    names = {}
    for key in ("given_names", "first_surname"):
        names[key] = _text(data, key, 100)
        if not names[key]:
            errors.add(path + key, _("This field is required."))
    names["second_surname"] = _text(data, "second_surname", 100)
    names["other_names"] = _text(data, "other_names", 200)
    return names


def _sex(data: Mapping, errors: Errors, path: str) -> str:
    sex = str(data.get("sex") or "").upper()
    if sex not in _SEXES:
        errors.add(path + "sex", _("Choose F, M or X."))
    return sex


def _date_of_birth(
    data: Mapping, today: datetime.date, errors: Errors, path: str
) -> tuple[datetime.date | None, bool]:
    """The date of birth and whether it is estimated: a given date, else 1 July of the year
    the age gives (estimated); never in the future nor more than MAX_AGE years ago."""
    given = data.get("date_of_birth")
    estimated = bool(data.get("dob_estimated"))
    if given:
        dob = _date(given)
        if dob is None:
            errors.add(path + "date_of_birth", _("Enter a date as YYYY-MM-DD."))
    elif data.get("age") not in (None, ""):
        dob = _from_age(data.get("age"), today, errors, path)
        if dob is not None:
            estimated = True
    else:
        dob = None
        errors.add(path + "date_of_birth", _("Enter the date of birth or the age."))
    if dob is not None and dob > today:
        errors.add(path + "date_of_birth", _("The date of birth is in the future."))
    elif dob is not None and today.year - dob.year > MAX_AGE:
        errors.add(
            path + "date_of_birth",
            _("This would make the person older than %(max)d.") % {"max": MAX_AGE},
        )
    return dob, estimated


def _from_age(age: Any, today: datetime.date, errors: Errors, path: str) -> datetime.date | None:
    try:
        years = int(age)
    except (TypeError, ValueError):
        years = -1
    if not 0 <= years <= MAX_AGE:
        errors.add(path + "age", _("Enter an age between 0 and %(max)d.") % {"max": MAX_AGE})
        return None
    dob = datetime.date(today.year - years, 7, 1)
    return dob if dob <= today else datetime.date(today.year - years - 1, 7, 1)


def _nationality(data: Mapping, errors: Errors, path: str) -> str:
    nationality = _country(data.get("nationality"))
    if nationality is None:
        errors.add(path + "nationality", _("Choose a country (ISO 3166-1 code such as VE)."))
    return nationality or ""


def _population_group(data: Mapping, errors: Errors, path: str) -> str:
    group = str(data.get("population_group") or "")
    if group not in _GROUPS:
        errors.add(path + "population_group", _("Choose a population group."))
    return group


def _relationship(data: Mapping, errors: Errors, path: str) -> str:
    relationship = str(data.get("relationship") or "")
    if relationship not in _RELATIONSHIPS:
        errors.add(path + "relationship", _("Choose the relationship to the head."))
    return relationship


def _phone(data: Mapping, region: str, errors: Errors, path: str) -> str:
    """E.164, read as a number of the office's country when it has no country code."""
    phone = str(data.get("phone") or "").strip()
    if not phone:
        return ""
    try:
        return normalize.phone_e164(phone, region)
    except normalize.InvalidPhone:
        errors.add(
            path + "phone",
            _("This is not a valid phone number for %(country)s.") % {"country": region},
        )
        return ""


def _email(data: Mapping, errors: Errors, path: str) -> str:
    """A real address (Django's validator), the domain in lower case; blank when not given."""
    email = str(data.get("email") or "").strip()
    if not email:
        return ""
    local, _at, domain = email.rpartition("@")
    email = f"{local}@{domain.lower()}" if local else email
    try:
        validate_email(email)
    except ValidationError:
        errors.add(path + "email", _("Enter a valid e-mail address, such as name@example.org."))
        return ""
    if len(email) > EMAIL_MAX_LENGTH:
        errors.add(path + "email", _("This e-mail address is too long."))
        return ""
    return email


def _codes(value: Any) -> list:
    """A list as given, or the codes of a text separated by commas or semicolons."""
    if isinstance(value, str):
        return [x.strip() for x in value.replace(";", ",").split(",") if x.strip()]
    return value or []


def _specific_needs(data: Mapping, errors: Errors, path: str) -> list[str]:
    """Known codes, sorted, each once; unknown ones reported and dropped."""
    needs = _codes(data.get("specific_needs"))
    unknown = [n for n in needs if n not in SPECIFIC_NEEDS]
    if unknown:
        errors.add(
            path + "specific_needs",
            _("Unknown specific needs: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    return sorted(set(needs) - set(unknown))


def _languages(data: Mapping, errors: Errors, path: str) -> list[str]:
    """ISO 639-1 or 639-3 codes, lower case; unknown ones reported and dropped."""
    languages = _codes(data.get("languages"))
    unknown = [
        x
        for x in languages
        if not pycountry.languages.get(alpha_2=str(x).lower())
        and not pycountry.languages.get(alpha_3=str(x).lower())
    ]
    if unknown:
        errors.add(
            path + "languages",
            _("Unknown language codes: %(codes)s.") % {"codes": ", ".join(map(str, unknown))},
        )
    return [str(x).lower() for x in languages if x not in unknown]


def _washington_group(data: Mapping, errors: Errors, path: str) -> dict[str, str]:
    """The six answers; blank when not asked, reported and blanked when not on the scale."""
    answers = {}
    for wg in WG_FIELDS:
        answer = str(data.get(wg) or "")
        if answer and answer not in _DIFFICULTIES:
            errors.add(path + wg, _("Choose none, some, a_lot or cannot."))
        answers[wg] = answer if answer in _DIFFICULTIES else ""
    return answers


def _with_disability(needs: list[str], answers: Mapping[str, str]) -> list[str]:
    """A lot of difficulty, or none possible, in any Washington Group domain is a disability."""
    if "disability" in needs or not any(
        answers[wg] in (Difficulty.A_LOT, Difficulty.CANNOT) for wg in WG_FIELDS
    ):
        return needs
    return sorted([*needs, "disability"])


def _consent(data: Mapping) -> dict:
    return {
        "contact_consent": bool(data.get("contact_consent")),
        "data_sharing_consent": bool(data.get("data_sharing_consent")),
        "consent_purpose": _text(data, "consent_purpose", 200),
    }


def _document(doc: Mapping, errors: Errors, path: str) -> dict:
    doc_type = str(doc.get("type") or "")
    if doc_type not in _DOCUMENT_TYPES:
        errors.add(path + "type", _("Choose a document type."))
    number = " ".join(str(doc.get("number") or "").split())[:40]
    if not normalize.document_key(number):
        errors.add(path + "number", _("Enter the document number."))
    country = _country(doc.get("issuing_country"))
    if country is None:
        errors.add(path + "issuing_country", _("Choose the issuing country."))
    expiry = _date(doc.get("expiry_date")) if doc.get("expiry_date") else None
    if doc.get("expiry_date") and expiry is None:
        errors.add(path + "expiry_date", _("Enter a date as YYYY-MM-DD."))
    return {
        "type": doc_type,
        "number": number,
        "issuing_country": country or "",
        "expiry_date": expiry,
    }
