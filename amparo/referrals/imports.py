"""Import of the service directory from CSV: one row per service, providers by name.

All or nothing: any bad row rejects the whole file and every problem is listed with its line
number (the header is line 1). Providers and services are matched by name (case and spacing
ignored), so importing the same file again changes nothing. For the columns present in the
file, the file is the reference: an empty cell clears the field. Providers and services that
are not in the file are left as they are.
"""

import csv
import functools
import gettext
import io
import re
from dataclasses import dataclass, field

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amparo.cases.models import ServiceType
from amparo.core import access, audit
from amparo.core.models import Office, Organization, User
from amparo.referrals import queries
from amparo.referrals.models import Provider, ProviderKind, Service
from amparo.registry.imports import max_bytes

COLUMNS = (
    "provider",
    "provider_kind",
    "service_type",
    "service_name",
    "areas",
    "hours",
    "eligibility",
    "languages",
    "contact_name",
    "phone",
    "email",
    "address",
    "agency",
    "office",
)
REQUIRED = ("provider", "provider_kind", "service_type", "service_name")
PROVIDER_COLUMNS = ("contact_name", "phone", "email", "address", "agency", "office")
MAX_LENGTHS = {
    "provider": 200,
    "service_name": 200,
    "hours": 200,
    "eligibility": 300,
    "contact_name": 120,
    "phone": 40,
    "email": 254,
    "address": 300,
}
CODE_SEPARATORS = re.compile(r"[;,\s]+")


class DirectoryImportError(Exception):
    """The file is rejected; `errors` lists every problem, in the user's language."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class DirectoryImportResult:
    rows: int = 0
    providers_created: int = 0
    providers_updated: int = 0
    providers_unchanged: int = 0
    services_created: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "providers_created": self.providers_created,
            "providers_updated": self.providers_updated,
            "providers_unchanged": self.providers_unchanged,
            "services_created": self.services_created,
            "services_updated": self.services_updated,
            "services_unchanged": self.services_unchanged,
        }


# --- small parsers shared with the admin forms ------------------------------------------------


def split_codes(text: str) -> list[str]:
    """`"EC-P; EC-U"` → `["EC-P", "EC-U"]` (separated by `;`, `,` or spaces; repeats dropped)."""
    codes: list[str] = []
    for code in CODE_SEPARATORS.split(text or ""):
        if code and code not in codes:
            codes.append(code)
    return codes


def unknown_languages(codes: list[str]) -> list[str]:
    """The codes that are not ISO 639-1 (two-letter) language codes."""
    return [c for c in codes if len(c) != 2 or pycountry.languages.get(alpha_2=c.lower()) is None]


@functools.cache
def _spanish_language_names() -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["es"], fallback=True)


def language_name(code: str) -> str:
    """The language's name in Spanish or English (the active language), or the code itself."""
    language = pycountry.languages.get(alpha_2=code.lower()) if len(code) == 2 else None
    if language is None:
        return code
    if (get_language() or "es").startswith("es"):
        return _spanish_language_names().gettext(language.name)
    return language.name


def _choice(value: str, choices) -> str | None:
    """A TextChoices value from its code or its label (either language), case ignored."""
    wanted = value.strip().lower()
    for code, label in choices.choices:
        if wanted in (code, str(label).lower()):
            return code
    return None


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


# --- reading ----------------------------------------------------------------------------------


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each non-empty data row. Rejects files that cannot be read."""
    if len(data) > max_bytes():
        raise DirectoryImportError(
            [_("The file is larger than %(mb)d MB.") % {"mb": max_bytes() // (1024 * 1024)}]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DirectoryImportError(
            [
                _(
                    "The file is not UTF-8 text (error at byte %(pos)d). Save it as “CSV UTF-8” "
                    "and try again."
                )
                % {"pos": exc.start}
            ]
        ) from exc
    if "\x00" in text:
        raise DirectoryImportError([_("The file contains NUL characters: it is not a text file.")])
    first_line = text.split("\n", 1)[0]
    # The header decides the separator (spreadsheets in Spanish save with ";"), so that ";"
    # inside the areas and languages cells is never mistaken for one.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        table = []
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if any(v.strip() for v in values):
                table.append((start, values))
    except csv.Error as exc:
        raise DirectoryImportError(
            [_("The file is not valid CSV (%(reason)s).") % {"reason": exc}]
        ) from exc
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    errors = []
    if missing:
        errors.append(_("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)})
    if unknown:
        errors.append(_("Unknown columns: %(unknown)s.") % {"unknown": ", ".join(unknown)})
    if errors:
        errors.append(_("Expected columns: %(expected)s.") % {"expected": ", ".join(COLUMNS)})
        raise DirectoryImportError(errors)
    if not table:
        raise DirectoryImportError([_("The file has no rows.")])
    rows = []
    for number, values in table:
        row = {h: "" for h in header if h}
        for name, value in zip(header, values, strict=False):
            if name:
                row[name] = value.strip()
        rows.append((number, row))
    return rows


# --- checking ---------------------------------------------------------------------------------


@dataclass
class _PlannedProvider:
    name: str
    kind: str
    line: int
    fields: dict = field(default_factory=dict)  # column → value (only columns in the file)
    lines: dict = field(default_factory=dict)  # column → line where the value was first given


@dataclass
class _PlannedService:
    provider_key: str
    name: str
    type: str
    fields: dict = field(default_factory=dict)
    areas: list | None = None
    languages: list | None = None


def _check_rows(
    organization: Organization, rows: list[tuple[int, dict[str, str]]]
) -> tuple[dict[str, _PlannedProvider], list[_PlannedService], list[str]]:
    """Every row checked against the kinds, types, areas, agencies and the rows before it."""
    columns = set(rows[0][1]) if rows else set()
    all_areas = queries.areas_by_code(
        code for _line, row in rows for code in split_codes(row.get("areas", ""))
    )
    agency_codes = {row.get("agency", "") for _line, row in rows} - {""}
    agencies = {o.code: o for o in queries.agencies_for(organization).filter(code__in=agency_codes)}
    known_orgs = set(
        Organization.objects.filter(code__in=agency_codes).values_list("code", flat=True)
    )
    office_codes = {row.get("office", "") for _line, row in rows} - {""}
    offices = {
        o.code: o for o in Office.objects.filter(organization=organization, code__in=office_codes)
    }
    providers: dict[str, _PlannedProvider] = {}
    services: list[_PlannedService] = []
    seen_services: dict[tuple[str, str], int] = {}
    errors: list[str] = []

    for number, row in rows:
        problems: list[str] = []
        for column, limit in MAX_LENGTHS.items():
            if len(row.get(column, "")) > limit:
                problems.append(
                    _("%(column)s is longer than %(max)d characters.")
                    % {"column": column, "max": limit}
                )
        name, service_name = row["provider"], row["service_name"]
        if not name:
            problems.append(_("provider is empty: give the provider's name."))
        if not service_name:
            problems.append(_("service_name is empty: give the service's name."))
        kind = _choice(row["provider_kind"], ProviderKind)
        if kind is None:
            problems.append(
                _("unknown provider_kind “%(value)s”; use one of: %(choices)s.")
                % {"value": row["provider_kind"], "choices": ", ".join(ProviderKind.values)}
            )
        service_type = _choice(row["service_type"], ServiceType)
        if service_type is None:
            problems.append(
                _("unknown service_type “%(value)s”; use one of: %(choices)s.")
                % {"value": row["service_type"], "choices": ", ".join(ServiceType.values)}
            )
        area_codes = split_codes(row.get("areas", ""))
        unknown_areas = [c for c in area_codes if c.upper() not in all_areas]
        if unknown_areas:
            problems.append(
                _("unknown area code(s): %(codes)s (use ISO 3166-2 codes or P-codes, e.g. EC-P).")
                % {"codes": ", ".join(unknown_areas)}
            )
        language_codes = [c.lower() for c in split_codes(row.get("languages", ""))]
        bad_languages = unknown_languages(language_codes)
        if bad_languages:
            problems.append(
                _("unknown language code(s): %(codes)s (use ISO 639-1 codes, e.g. es; en).")
                % {"codes": ", ".join(bad_languages)}
            )
        email = row.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("“%(value)s” is not a valid e-mail address.") % {"value": email})
        agency_code = row.get("agency", "")
        if agency_code and agency_code not in known_orgs:
            problems.append(_("unknown agency “%(code)s”.") % {"code": agency_code})
        elif agency_code and agency_code not in agencies:
            problems.append(
                _(
                    "agency “%(code)s” is not a Care Route partner: only partner organizations "
                    "or your own organization can receive referrals in Amparo."
                )
                % {"code": agency_code}
            )
        office_code = row.get("office", "")
        if office_code and office_code not in offices:
            problems.append(
                _("unknown office “%(code)s” (use the code of one of your offices).")
                % {"code": office_code}
            )
        elif office_code and kind and kind != ProviderKind.INTERNAL:
            problems.append(_("only a unit of your organization (kind internal) has an office."))
        agency = agencies.get(agency_code)
        if kind == ProviderKind.INTERNAL and agency is not None and agency.pk != organization.pk:
            problems.append(
                _("a unit of your organization cannot have another organization as agency.")
            )

        key = _key(name)
        provider = providers.get(key) if name else None
        if provider is not None and kind and provider.kind != kind:
            problems.append(
                _("provider “%(name)s” has kind %(kind)s in line %(line)d.")
                % {"name": provider.name, "kind": provider.kind, "line": provider.line}
            )
        if provider is not None:
            for column in PROVIDER_COLUMNS:
                value = row.get(column, "")
                given = provider.fields.get(column, "")
                if value and given and value != given:
                    problems.append(
                        _(
                            "%(column)s “%(value)s” differs from “%(given)s” given for the same "
                            "provider in line %(line)d."
                        )
                        % {
                            "column": column,
                            "value": value,
                            "given": given,
                            "line": provider.lines[column],
                        }
                    )
        service_key = (key, _key(service_name))
        if name and service_name and service_key in seen_services:
            problems.append(
                _("service “%(service)s” of “%(provider)s” already appears in line %(line)d.")
                % {"service": service_name, "provider": name, "line": seen_services[service_key]}
            )

        if problems:
            errors.extend(
                _("Line %(line)d: %(message)s") % {"line": number, "message": p} for p in problems
            )
            continue
        if provider is None:
            provider = providers[key] = _PlannedProvider(
                name=name,
                kind=kind,
                line=number,
                fields={c: "" for c in PROVIDER_COLUMNS if c in columns},
            )
        for column in PROVIDER_COLUMNS:
            if row.get(column) and not provider.fields.get(column):
                provider.fields[column] = row[column]
                provider.lines[column] = number
        seen_services[service_key] = number
        services.append(
            _PlannedService(
                provider_key=key,
                name=service_name,
                type=service_type,
                fields={c: row[c] for c in ("hours", "eligibility") if c in columns},
                areas=[all_areas[c.upper()] for c in area_codes] if "areas" in columns else None,
                languages=language_codes if "languages" in columns else None,
            )
        )

    for provider in providers.values():
        if "agency" in provider.fields:
            provider.fields["agency"] = agencies.get(provider.fields["agency"])
        if provider.kind == ProviderKind.INTERNAL and provider.fields.get("agency") is None:
            # A unit of the organization receives its referrals in the organization itself.
            provider.fields["agency"] = organization
        if "office" in provider.fields:
            provider.fields["office"] = offices.get(provider.fields["office"])
        if provider.kind != ProviderKind.INTERNAL:
            provider.fields["office"] = None  # only units of the organization have an office
    return providers, services, errors


# --- writing ----------------------------------------------------------------------------------


def _apply(obj, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


@transaction.atomic
def import_directory(
    *,
    actor: User | None,
    organization: Organization,
    data: bytes,
    filename: str = "",
    dry_run: bool = False,
) -> DirectoryImportResult:
    """Create or update `organization`'s providers and services from a CSV file.

    `actor` None is the command line (the operator). A user needs `referrals.manage_directory`
    and may import only into their own organization's directory. Raises DirectoryImportError
    listing every problem; nothing is written then (nor with `dry_run`).

    Side effects: one audit event `referrals.directory.imported` with the counts.
    """
    if actor is not None:
        access.require(actor, "referrals.manage_directory")
        if not actor.is_superuser and actor.organization_id != organization.pk:
            raise DirectoryImportError([_("You can only manage your own organization.")])
    rows = read_rows(data)
    providers, services, errors = _check_rows(organization, rows)
    if errors:
        raise DirectoryImportError(errors)
    result = DirectoryImportResult(rows=len(rows), dry_run=dry_run)
    existing = {_key(p.name): p for p in Provider.objects.filter(organization=organization)}
    saved: dict[str, Provider] = {}
    for key, planned in providers.items():
        values = {"name": planned.name, "kind": planned.kind, **planned.fields}
        provider = existing.get(key)
        if provider is None:
            provider = Provider(organization=organization, **values)
            if not dry_run:
                provider.save()
            result.providers_created += 1
        else:
            changed = _apply(provider, values)
            if changed:
                if not dry_run:
                    provider.save(update_fields=changed)
                result.providers_updated += 1
            else:
                result.providers_unchanged += 1
        saved[key] = provider

    current = {
        (_key(s.provider.name), _key(s.name)): s
        for s in Service.objects.filter(provider__organization=organization)
        .select_related("provider")
        .prefetch_related("areas")
    }
    for planned in services:
        provider = saved[planned.provider_key]
        values = {"name": planned.name, "type": planned.type, **planned.fields}
        if planned.languages is not None:
            values["languages"] = planned.languages
        service = current.get((planned.provider_key, _key(planned.name)))
        if service is None:
            result.services_created += 1
            if not dry_run:
                service = Service.objects.create(provider=provider, **values)
                if planned.areas:
                    service.areas.set(planned.areas)
            continue
        changed = _apply(service, values)
        areas_changed = planned.areas is not None and {a.pk for a in planned.areas} != {
            a.pk for a in service.areas.all()
        }
        if changed or areas_changed:
            result.services_updated += 1
            if not dry_run:
                if changed:
                    service.save(update_fields=changed)
                if areas_changed:
                    service.areas.set(planned.areas)
        else:
            result.services_unchanged += 1
    if not dry_run:
        audit.record(
            actor=actor,
            action="referrals.directory.imported",
            organization_id=organization.pk,
            details={"file": filename[:200], **result.as_dict()},
        )
    return result
