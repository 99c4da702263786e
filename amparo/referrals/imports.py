"""Import of the service directory from CSV or XLSX: one row per service, providers by name.

All or nothing: any bad row rejects the whole file and every problem is listed with its line
number (the row a spreadsheet shows; the header is line 1). Providers and services are matched
by name (case and spacing ignored), so importing the same file again changes nothing. For the
columns present in the file, the file is the reference: an empty cell clears the field.
Providers and services that are not in the file are left as they are.
"""

import functools
import gettext
import re
from dataclasses import dataclass, field

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from amparo.cases.models import ServiceType
from amparo.core import access, audit, tabular
from amparo.core.errors import ActionError, Errors
from amparo.core.models import Area, Office, Organization, User
from amparo.referrals import queries
from amparo.referrals.models import Provider, ProviderKind, Service

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


def read_rows(data: bytes, filename: str = "") -> list[tabular.Row]:
    """The non-empty data rows (see `core.tabular`), once the header has the right columns."""
    table = tabular.read_table(data, filename)
    missing = [c for c in REQUIRED if c not in table.columns]
    unknown = [c for c in table.columns if c not in COLUMNS]
    errors = []
    if missing:
        errors.append(_("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)})
    if unknown:
        errors.append(_("Unknown columns: %(unknown)s.") % {"unknown": ", ".join(unknown)})
    if errors:
        errors.append(_("Expected columns: %(expected)s.") % {"expected": ", ".join(COLUMNS)})
        raise tabular.refuse(*errors)
    return table.rows


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


@dataclass
class _Known:
    """What the rows refer to, read once for the whole file."""

    areas: dict[str, Area]  # code (upper case) → area
    agencies: dict[str, Organization]  # code → organization that may receive referrals
    organizations: set[str]  # every organization code named in the file that exists
    offices: dict[str, Office]  # code → one of the importing organization's offices


@dataclass
class _Plan:
    """The providers and services the file describes, as checking goes."""

    columns: set[str]
    providers: dict[str, _PlannedProvider] = field(default_factory=dict)
    services: list[_PlannedService] = field(default_factory=list)
    seen_services: dict[tuple[str, str], int] = field(default_factory=dict)  # → first line


def _check_rows(organization: Organization, rows: list[tabular.Row]) -> _Plan:
    """Every row checked against the kinds, types, areas, agencies and the rows before it.

    Raises ActionError listing every problem by line (`rows.<line>`).
    """
    known = _known(organization, rows)
    plan = _Plan(columns=set(rows[0].values) if rows else set())
    errors = Errors()
    for number, row in rows:
        kind = _choice(row["provider_kind"], ProviderKind)
        service_type = _choice(row["service_type"], ServiceType)
        problems = [
            *_value_problems(row, kind, service_type, known, organization),
            *_consistency_problems(row, kind, plan),
        ]
        for problem in problems:
            errors.add(
                f"rows.{number}",
                _("Line %(line)d: %(message)s") % {"line": number, "message": problem},
            )
        if not problems:
            _plan_row(number, row, kind, service_type, known, plan)
    errors.raise_if_any()
    _resolve_providers(plan, known, organization)
    return plan


def _known(organization: Organization, rows: list[tabular.Row]) -> _Known:
    area_codes = (code for row in rows for code in split_codes(row.values.get("areas", "")))
    agency_codes = {row.values.get("agency", "") for row in rows} - {""}
    office_codes = {row.values.get("office", "") for row in rows} - {""}
    return _Known(
        areas=queries.areas_by_code(area_codes),
        agencies={
            o.code: o for o in queries.agencies_for(organization).filter(code__in=agency_codes)
        },
        organizations=set(
            Organization.objects.filter(code__in=agency_codes).values_list("code", flat=True)
        ),
        offices={
            o.code: o
            for o in Office.objects.filter(organization=organization, code__in=office_codes)
        },
    )


def _value_problems(
    row: dict[str, str],
    kind: str | None,
    service_type: str | None,
    known: _Known,
    organization: Organization,
) -> list[str]:
    """What is wrong with the row's own values (lengths, names, codes, e-mail, agency, office)."""
    problems: list[str] = []
    for column, limit in MAX_LENGTHS.items():
        if len(row.get(column, "")) > limit:
            problems.append(
                _("%(column)s is longer than %(max)d characters.")
                % {"column": column, "max": limit}
            )
    if not row["provider"]:
        problems.append(_("provider is empty: give the provider's name."))
    if not row["service_name"]:
        problems.append(_("service_name is empty: give the service's name."))
    if kind is None:
        problems.append(
            _("unknown provider_kind “%(value)s”; use one of: %(choices)s.")
            % {"value": row["provider_kind"], "choices": ", ".join(ProviderKind.values)}
        )
    if service_type is None:
        problems.append(
            _("unknown service_type “%(value)s”; use one of: %(choices)s.")
            % {"value": row["service_type"], "choices": ", ".join(ServiceType.values)}
        )
    unknown_areas = [c for c in split_codes(row.get("areas", "")) if c.upper() not in known.areas]
    if unknown_areas:
        problems.append(
            _("unknown area code(s): %(codes)s (use ISO 3166-2 codes or P-codes, e.g. EC-P).")
            % {"codes": ", ".join(unknown_areas)}
        )
    bad_languages = unknown_languages([c.lower() for c in split_codes(row.get("languages", ""))])
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
    problems += _agency_and_office_problems(row, kind, known, organization)
    return problems


def _agency_and_office_problems(
    row: dict[str, str], kind: str | None, known: _Known, organization: Organization
) -> list[str]:
    problems: list[str] = []
    agency_code = row.get("agency", "")
    if agency_code and agency_code not in known.organizations:
        problems.append(_("unknown agency “%(code)s”.") % {"code": agency_code})
    elif agency_code and agency_code not in known.agencies:
        problems.append(
            _(
                "agency “%(code)s” is not a Care Route partner: only partner organizations "
                "or your own organization can receive referrals in Amparo."
            )
            % {"code": agency_code}
        )
    office_code = row.get("office", "")
    if office_code and office_code not in known.offices:
        problems.append(
            _("unknown office “%(code)s” (use the code of one of your offices).")
            % {"code": office_code}
        )
    elif office_code and kind and kind != ProviderKind.INTERNAL:
        problems.append(_("only a unit of your organization (kind internal) has an office."))
    agency = known.agencies.get(agency_code)
    if kind == ProviderKind.INTERNAL and agency is not None and agency.pk != organization.pk:
        problems.append(
            _("a unit of your organization cannot have another organization as agency.")
        )
    return problems


def _consistency_problems(row: dict[str, str], kind: str | None, plan: _Plan) -> list[str]:
    """Where the row contradicts an earlier row for the same provider, or repeats a service."""
    problems: list[str] = []
    name, service_name = row["provider"], row["service_name"]
    key = _key(name)
    provider = plan.providers.get(key) if name else None
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
    if name and service_name and service_key in plan.seen_services:
        problems.append(
            _("service “%(service)s” of “%(provider)s” already appears in line %(line)d.")
            % {"service": service_name, "provider": name, "line": plan.seen_services[service_key]}
        )
    return problems


def _plan_row(
    number: int,
    row: dict[str, str],
    kind: str,
    service_type: str,
    known: _Known,
    plan: _Plan,
) -> None:
    """Add a good row's provider (first mention) and service to the plan."""
    key = _key(row["provider"])
    provider = plan.providers.get(key)
    if provider is None:
        provider = plan.providers[key] = _PlannedProvider(
            name=row["provider"],
            kind=kind,
            line=number,
            fields={c: "" for c in PROVIDER_COLUMNS if c in plan.columns},
        )
    for column in PROVIDER_COLUMNS:
        if row.get(column) and not provider.fields.get(column):
            provider.fields[column] = row[column]
            provider.lines[column] = number
    plan.seen_services[(key, _key(row["service_name"]))] = number
    area_codes = split_codes(row.get("areas", ""))
    plan.services.append(
        _PlannedService(
            provider_key=key,
            name=row["service_name"],
            type=service_type,
            fields={c: row[c] for c in ("hours", "eligibility") if c in plan.columns},
            areas=[known.areas[c.upper()] for c in area_codes] if "areas" in plan.columns else None,
            languages=[c.lower() for c in split_codes(row.get("languages", ""))]
            if "languages" in plan.columns
            else None,
        )
    )


def _resolve_providers(plan: _Plan, known: _Known, organization: Organization) -> None:
    """Agency and office codes become records; only the organization's units have an office."""
    for provider in plan.providers.values():
        if "agency" in provider.fields:
            provider.fields["agency"] = known.agencies.get(provider.fields["agency"])
        if provider.kind == ProviderKind.INTERNAL and provider.fields.get("agency") is None:
            # A unit of the organization receives its referrals in the organization itself.
            provider.fields["agency"] = organization
        if "office" in provider.fields:
            provider.fields["office"] = known.offices.get(provider.fields["office"])
        if provider.kind != ProviderKind.INTERNAL:
            provider.fields["office"] = None  # only units of the organization have an office


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
    """Create or update `organization`'s providers and services from a CSV or XLSX file.

    `actor` None is the command line (the operator). A user needs `referrals.manage_directory`
    and may import only into their own organization's directory. Raises ActionError listing
    every problem; nothing is written then (nor with `dry_run`).

    Side effects: one audit event `referrals.directory.imported` with the counts.
    """
    if actor is not None:
        access.require(actor, "referrals.manage_directory")
        if not actor.is_superuser and actor.organization_id != organization.pk:
            raise ActionError.general(_("You can only manage your own organization."))
    rows = read_rows(data, filename)
    plan = _check_rows(organization, rows)
    result = DirectoryImportResult(rows=len(rows), dry_run=dry_run)
    saved = _save_providers(organization, plan, result)
    _save_services(organization, plan, saved, result)
    if not dry_run:
        audit.record(
            actor=actor,
            action="referrals.directory.imported",
            organization_id=organization.pk,
            details={"file": filename[:200], **result.as_dict()},
        )
    return result


def _save_providers(
    organization: Organization, plan: _Plan, result: DirectoryImportResult
) -> dict[str, Provider]:
    """Create or update the planned providers (counted, unsaved on a dry run); key → provider."""
    # The organization's own directory: a network it convenes keeps its rows apart.
    own = Provider.objects.filter(organization=organization, network__isnull=True)
    existing = {_key(p.name): p for p in own}
    saved: dict[str, Provider] = {}
    for key, planned in plan.providers.items():
        values = {"name": planned.name, "kind": planned.kind, **planned.fields}
        provider = existing.get(key)
        if provider is None:
            provider = Provider(organization=organization, **values)
            if not result.dry_run:
                provider.save()
            result.providers_created += 1
        else:
            changed = _apply(provider, values)
            if changed:
                if not result.dry_run:
                    provider.save(update_fields=changed)
                result.providers_updated += 1
            else:
                result.providers_unchanged += 1
        saved[key] = provider
    return saved


def _save_services(
    organization: Organization,
    plan: _Plan,
    providers: dict[str, Provider],
    result: DirectoryImportResult,
) -> None:
    """Create or update the planned services and their areas (counted, unsaved on a dry run)."""
    current = {
        (_key(s.provider.name), _key(s.name)): s
        for s in Service.objects.filter(
            provider__organization=organization, provider__network__isnull=True
        )
        .select_related("provider")
        .prefetch_related("areas")
    }
    for planned in plan.services:
        values = {"name": planned.name, "type": planned.type, **planned.fields}
        if planned.languages is not None:
            values["languages"] = planned.languages
        service = current.get((planned.provider_key, _key(planned.name)))
        if service is None:
            result.services_created += 1
            if not result.dry_run:
                service = Service.objects.create(provider=providers[planned.provider_key], **values)
                if planned.areas:
                    service.areas.set(planned.areas)
            continue
        changed = _apply(service, values)
        areas_changed = planned.areas is not None and {a.pk for a in planned.areas} != {
            a.pk for a in service.areas.all()
        }
        if changed or areas_changed:
            result.services_updated += 1
            if not result.dry_run:
                if changed:
                    service.save(update_fields=changed)
                if areas_changed:
                    service.areas.set(planned.areas)
        else:
            result.services_unchanged += 1
