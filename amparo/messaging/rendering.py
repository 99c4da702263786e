"""A template's text for one person: `{first_name}`, `{office}` and `{date}` (today, in the
message's language). Nothing else is read from the braces: no attribute access, no code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import formats, timezone, translation

VARIABLES = ("first_name", "office", "date")
_BRACED = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Values:
    first_name: str
    office: str


def unknown_variables(text: str) -> list[str]:
    """The braced names in `text` that are not variables (a template with any is refused)."""
    return sorted({name for name in _BRACED.findall(text) if name not in VARIABLES})


def render(text: str, values: Values, language: str) -> str:
    with translation.override(language):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    known = {"first_name": values.first_name, "office": values.office, "date": today}
    return _BRACED.sub(lambda m: known.get(m.group(1), m.group(0)), text)


def language_for(languages: list[str] | None) -> str:
    """The first of the person's languages we write in (Spanish unless English comes first)."""
    for code in languages or []:
        code = str(code).lower()[:2]
        if code in {"es", "en"}:
            return code
    return "es"


def first_name(given_names: str) -> str:
    return (given_names or "").split(" ")[0]
