"""Countries and languages by name, in the user's language (ISO codes are for machines).

pycountry carries the ISO 3166 and ISO 639 names and their gettext translations; the catalogs
are read once per language. Forms, pages, referral fields and exports use these, never a code
or pycountry's English.
"""

import functools
import gettext
import unicodedata

import pycountry
from django.utils.translation import get_language

# Where most people served come from: first in nationality lists.
FIRST_COUNTRIES = ("VE", "CO", "EC", "PE", "PA", "HT", "CU")


def _language(language: str | None) -> str:
    return (language or get_language() or "es").split("-")[0]


@functools.cache
def _catalog(domain: str, language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(code: str | None, language: str | None = None) -> str:
    """ "VE" → "Venezuela" (the common name where ISO has one); an unknown code as it is."""
    country = pycountry.countries.get(alpha_2=code) if code and len(code) == 2 else None
    if country is None:
        return code or ""
    name = getattr(country, "common_name", None) or country.name
    return _catalog("iso3166-1", _language(language)).gettext(name)


def language_name(code: str | None, language: str | None = None) -> str:
    """ "fr" → "Francés" (English where pycountry has no translation); unknown codes as they are."""
    found = None
    if code and len(code) in (2, 3):
        found = pycountry.languages.get(**{f"alpha_{len(code)}": code.lower()})
    if found is None:
        return code or ""
    return _catalog("iso639-3", _language(language)).gettext(found.name)


def _sort_key(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


@functools.cache
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    first = [(c, country_name(c, language)) for c in FIRST_COUNTRIES]
    rest = sorted(
        (
            (c.alpha_2, country_name(c.alpha_2, language))
            for c in pycountry.countries
            if c.alpha_2 not in FIRST_COUNTRIES
        ),
        key=lambda pair: _sort_key(pair[1]),
    )
    return (("", "—"), *first, ("", "──────────"), *rest)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """A select's choices: the region's countries first, then all by name, in the language."""
    return list(_country_choices(_language(language)))
