"""Every write to core records. One transaction each; the audit event in the same function."""

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from amparo.core import access, audit, tabular
from amparo.core.errors import ActionError, Errors, django_validation
from amparo.core.models import Area, Office, Organization, Role, User
from amparo.core.roles import BUILTIN_ROLES, PERMISSIONS


def sync_builtin_roles(role_model=Role, using: str = "default") -> None:
    """Make the built-in Role rows match `roles.BUILTIN_ROLES` (run by a migration and `demo`)."""
    for builtin in BUILTIN_ROLES.values():
        role_model.objects.using(using).update_or_create(
            organization=None,
            code=builtin.code,
            defaults={
                "name": str(builtin.name),
                "permissions": sorted(builtin.permissions),
                "office_bound": builtin.office_bound,
            },
        )


@transaction.atomic
def create_organization(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str = Organization.Kind.NGO,
    country: Area | None = None,
    is_care_route_partner: bool = False,
) -> Organization:
    """Create an organization. Only platform superusers (or scripts, actor=None) may."""
    if actor is not None and not actor.is_superuser:
        raise ActionError.general(_("Only platform administrators can create organizations."))
    org = Organization(
        code=code,
        name=name,
        kind=kind,
        country=country,
        is_care_route_partner=is_care_route_partner,
    )
    with django_validation():
        org.full_clean()
    org.save()
    audit.record(actor=actor, action="core.organization.created", target=org)
    return org


@transaction.atomic
def create_office(
    *,
    actor: User | None,
    organization: Organization,
    code: str,
    name: str,
    area: Area | None = None,
) -> Office:
    """Create an office of `organization`; the actor needs core.manage_offices there."""
    if actor is not None:
        _require_manage(actor, "core.manage_offices", organization)
    office = Office(organization=organization, code=code, name=name, area=area)
    with django_validation():
        office.full_clean()
    office.save()
    audit.record(actor=actor, action="core.office.created", target=office)
    return office


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str,
    organization: Organization | None,
    office: Office | None,
    role: Role | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "es",
    is_superuser: bool = False,
) -> User:
    """Create a user account with a validated password.

    Raises ActionError when the office is not the organization's, the role belongs to
    another organization, an office-bound role has no office, or the password is weak.
    """
    if actor is not None:
        _require_manage(actor, "core.manage_users", organization)
    user = User(
        username=username,
        organization=organization,
        office=office,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    validate_assignment(user)
    with django_validation():
        validate_password(password, user)
    user.set_password(password)
    with django_validation():
        user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor,
        action="core.user.created",
        target=user,
        fields=["username", "organization", "office", "role"],
    )
    return user


def validate_assignment(user: User) -> None:
    """Office and role must fit the user's organization."""
    errors = Errors()
    if user.office and user.office.organization_id != user.organization_id:
        errors.add("office", _("This office belongs to another organization."))
    if user.role and user.role.organization_id not in (None, user.organization_id):
        errors.add("role", _("This role belongs to another organization."))
    if user.role and user.role.office_bound and not user.office:
        errors.add("office", _("This role is limited to one office: choose the office."))
    if not user.is_superuser and user.organization is None:
        errors.add("organization", _("Choose the user's organization."))
    errors.raise_if_any()


@transaction.atomic
def set_language(*, actor: User, language: str, request: HttpRequest | None = None) -> User:
    """Remember the user's interface language."""
    if language not in dict(_languages()):
        raise ActionError.on("language", _("Unknown language."))
    if actor.language != language:
        actor.language = language
        actor.save(update_fields=["language"])
        audit.record(
            actor=actor,
            action="core.user.updated",
            target=actor,
            fields=["language"],
            request=request,
        )
    return actor


@transaction.atomic
def issue_api_token(*, user: User, request: HttpRequest | None = None) -> str:
    """The API token of a user who has just given their password (created on first use).

    Side effects: audit `core.user.logged_in` (via the API), and `core.token.created` once.
    """
    token, created = Token.objects.get_or_create(user=user)
    audit.record(
        actor=user,
        action="core.user.logged_in",
        target=user,
        request=request,
        details={"via": "api_token"},
    )
    if created:
        audit.record(actor=user, action="core.token.created", target=user, request=request)
    return token.key


@transaction.atomic
def save_role(
    *, actor: User, role: Role, changed: list[str], request: HttpRequest | None = None
) -> Role:
    """Create or change an organization's own role; built-in roles cannot be edited."""
    _require_manage(actor, "core.manage_roles", role.organization)
    if role.organization_id is None and not actor.is_superuser:
        raise ActionError.general(_("Built-in roles cannot be changed."))
    unknown = set(role.permissions) - PERMISSIONS.keys()
    if unknown:
        raise ActionError.on(
            "permissions", _("Unknown permissions: %(codes)s") % {"codes": sorted(unknown)}
        )
    creating = role.pk is None
    with django_validation():
        role.full_clean()
    role.save()
    audit.record(
        actor=actor,
        action=f"core.role.{'created' if creating else 'updated'}",
        target=role,
        fields=changed,
        request=request,
    )
    return role


def _languages():
    from django.conf import settings

    return settings.LANGUAGES


def _require_manage(actor: User, permission: str, organization: Organization | None) -> None:
    if actor.is_superuser:
        return
    access.require(actor, permission)
    if organization is None or organization.pk != actor.organization_id:
        raise ActionError.general(_("You can only manage your own organization."))


# --- administrative areas -------------------------------------------------------------------

AREA_COLUMNS = ("pcode", "name", "parent_pcode", "level")


@dataclass
class AreaImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_areas(*, actor: User | None, data: bytes, filename: str = "") -> AreaImportResult:
    """Add or rename second-level (and deeper) areas from a P-code CSV or XLSX file.

    All or nothing: any bad row rejects the whole file with every problem listed (row numbers
    as a spreadsheet shows them, the header is row 1); raises ActionError. Re-importing the
    same file changes nothing. Side effects: audit `core.area.imported` with the counts.
    """
    if actor is not None:
        access.require(actor, "core.manage_areas")
    rows = _read_area_rows(data, filename)
    result = AreaImportResult()
    with transaction.atomic():
        by_code: dict[str, Area] = {}
        for row in _plan_area_rows(rows):
            parent = by_code.get(row["parent_pcode"]) or Area.objects.get(code=row["parent_pcode"])
            area = _save_area(row, parent, result)
            by_code[area.code] = area
        audit.record(
            actor=actor,
            action="core.area.imported",
            details={
                "file": filename[:200],
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def _read_area_rows(data: bytes, filename: str) -> list[tabular.Row]:
    table = tabular.read_table(data, filename)
    missing = [c for c in AREA_COLUMNS if c not in table.columns]
    if missing:
        raise tabular.refuse(
            _("Missing columns: %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(AREA_COLUMNS)}
        )
    return table.rows


def _plan_area_rows(rows: list[tabular.Row]) -> list[dict]:
    """Validate every row against the database and the rows before it; raise every problem."""
    codes = [r.values["pcode"] for r in rows] + [r.values["parent_pcode"] for r in rows]
    known = {a.code: a for a in Area.objects.select_related("parent").filter(code__in=codes)}
    in_file: dict[str, tuple[int, int | None]] = {}  # pcode → (row, level) of good rows
    errors = Errors()
    planned = []
    for number, values in rows:
        row = {c: values[c] for c in AREA_COLUMNS}
        try:
            level = int(row["level"])
        except ValueError:
            level = None
        problems = _area_row_problems(row, level, known, in_file)
        for problem in problems:
            errors.add(
                f"rows.{number}",
                _("Row %(row)d: %(message)s") % {"row": number, "message": problem},
            )
        if not problems:
            in_file[row["pcode"]] = (number, level)
            planned.append({**row, "level": level, "existing": known.get(row["pcode"])})
    errors.raise_if_any()
    return planned


def _area_row_problems(
    row: dict, level: int | None, known: dict[str, Area], in_file: dict[str, tuple[int, int | None]]
) -> list[str]:
    problems = []
    pcode, name, parent_code = row["pcode"], row["name"], row["parent_pcode"]
    if not pcode:
        problems.append(_("pcode is empty."))
    elif len(pcode) > 32:
        problems.append(_("pcode is longer than 32 characters."))
    elif pcode in in_file:
        problems.append(
            _("pcode %(code)s already appears in row %(other)d.")
            % {"code": pcode, "other": in_file[pcode][0]}
        )
    if not name:
        problems.append(_("name is empty."))
    elif len(name) > 200:
        problems.append(_("name is longer than 200 characters."))
    if level is None or not 2 <= level <= 3:
        problems.append(_("level must be 2 or 3 (first-level areas come from ISO 3166-2)."))
    parent_level = None
    if parent_code in in_file:
        parent_level = in_file[parent_code][1]
    elif parent_code in known:
        parent_level = known[parent_code].level
    else:
        problems.append(_("unknown parent_pcode “%(code)s”.") % {"code": parent_code})
    if parent_level is not None and level is not None and parent_level != level - 1:
        problems.append(
            _(
                "a level-%(level)d area needs a level-%(parent)d parent; "
                "“%(code)s” is level %(actual)d."
            )
            % {"level": level, "parent": level - 1, "code": parent_code, "actual": parent_level}
        )
    existing = known.get(pcode)
    if existing is not None and (existing.level != level or existing.parent is None):
        problems.append(
            _("pcode %(code)s is already a level-%(level)d area and cannot be replaced.")
            % {"code": pcode, "level": existing.level}
        )
    elif existing is not None and existing.parent and existing.parent.code != parent_code:
        problems.append(
            _("pcode %(code)s already exists under another parent (%(parent)s).")
            % {"code": pcode, "parent": existing.parent.code}
        )
    return problems


def _save_area(row: dict, parent: Area, result: AreaImportResult) -> Area:
    existing = row["existing"]
    if existing is None:
        result.created += 1
        return Area.objects.create(
            code=row["pcode"],
            name=row["name"],
            level=row["level"],
            parent=parent,
            country_code=parent.country_code,
        )
    if existing.name != row["name"]:
        existing.name = row["name"]
        existing.save(update_fields=["name"])
        result.updated += 1
    else:
        result.unchanged += 1
    return existing
