"""Countries and first-level areas from ISO 3166 (pycountry), with Spanish names."""

import gettext

import pycountry

# Countries whose first-level areas (provinces, states, departments) are loaded.
COUNTRIES_WITH_AREAS = ("EC", "PA", "CO", "VE", "PE", "AR", "BO", "CL", "BR", "CR", "MX")


def _spanish(domain: str):
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["es"], fallback=True)


def country_rows() -> list[dict]:
    es = _spanish("iso3166-1")
    rows = []
    for c in pycountry.countries:
        english = getattr(c, "common_name", None) or c.name
        spanish = es.gettext(c.name)
        rows.append(
            {
                "code": c.alpha_2,
                "name": spanish,
                "name_en": english,
                "level": 0,
                "country_code": c.alpha_2,
                "kind": "Country",
                "parent": None,
            }
        )
    return rows


def first_level_rows(country_code: str) -> list[dict]:
    es = _spanish("iso3166-2")
    return [
        {
            "code": s.code,
            "name": es.gettext(s.name),
            "name_en": "",
            "level": 1,
            "country_code": country_code,
            "kind": s.type,
            "parent": country_code,
        }
        for s in pycountry.subdivisions.get(country_code=country_code)
        if s.parent_code is None
    ]


def load(area_model) -> int:
    """Create or refresh the ISO areas. Takes the model so migrations can pass their own."""
    by_code = {}
    for row in country_rows():
        obj, _ = area_model.objects.update_or_create(
            code=row["code"],
            defaults={k: v for k, v in row.items() if k not in ("code", "parent")},
        )
        by_code[obj.code] = obj
    count = len(by_code)
    for country in COUNTRIES_WITH_AREAS:
        for row in first_level_rows(country):
            area_model.objects.update_or_create(
                code=row["code"],
                defaults={
                    **{k: v for k, v in row.items() if k not in ("code", "parent")},
                    "parent": by_code[row["parent"]],
                },
            )
            count += 1
    return count


# The time zone of each country's capital: where an office's day starts and ends (a
# delivery at 23:30 in Caracas is on that day there, whatever the server's zone).
TIME_ZONES = {
    "EC": "America/Guayaquil",
    "PA": "America/Panama",
    "CO": "America/Bogota",
    "VE": "America/Caracas",
    "PE": "America/Lima",
    "AR": "America/Argentina/Buenos_Aires",
    "BO": "America/La_Paz",
    "CL": "America/Santiago",
    "BR": "America/Sao_Paulo",
    "CR": "America/Costa_Rica",
    "MX": "America/Mexico_City",
}


def time_zone(country_code: str | None, default: str) -> str:
    """The time zone name of `country_code`'s offices; `default` for a country not listed."""
    return TIME_ZONES.get((country_code or "").upper(), default)
