"""Every write to core records. One transaction each; the audit event in the same function."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.core import access, audit, tabular, twofactor
from amparo.core.errors import ActionError, Errors, django_validation
from amparo.core.models import ApiToken, Area, Office, Organization, Role, User
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


def issue_api_token(
    *, user: User, request: HttpRequest | None = None, label: str = "", otp: str = ""
) -> str:
    """A new API token for a user who has just given their password. The key is returned
    here once; only its hash is kept. It ends after `AMPARO_API_TOKEN_DAYS` days.

    A user who must use two-factor sign-in (`twofactor.required_for`) also gives `otp`, a
    current code of their authenticator app or an unused recovery code; without it, or
    with a wrong one, ActionError on `otp` and no token.
    Side effects: audit `core.user.logged_in` (via the API) and `core.token.created`.
    """
    label = label.strip()
    if len(label) > 100:
        raise ActionError.on("label", _("Keep the device name under 100 characters."))
    if twofactor.required_for(user):
        if twofactor.authenticator_of(user) is None:
            raise ActionError.on(
                "otp",
                _("Two-factor sign-in is required: set it up in the web application first."),
            )
        if not otp.strip():
            raise ActionError.on(
                "otp", _("Enter the code from your authenticator app, or a recovery code.")
            )
        verify_second_factor(user=user, code=otp, request=request)
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            key_hash=ApiToken.hash_key(key),
            prefix=key[: ApiToken.PREFIX_LENGTH],
            password_stamp=ApiToken.stamp_of(user),
            label=label,
            created_at=now,
            expires_at=now + timedelta(days=settings.AMPARO_API_TOKEN_DAYS),
        )
        audit.record(
            actor=user,
            action="core.user.logged_in",
            target=user,
            request=request,
            details={"via": "api_token"},
        )
        audit.record(
            actor=user,
            action="core.token.created",
            target=user,
            request=request,
            details={"token": str(token.uuid)},
        )
    return key


def note_api_token_use(token: ApiToken) -> None:
    """Remember when a token was last used; at most one write a minute per token."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def revoke_api_token(
    *,
    actor: User,
    token: ApiToken,
    ending: str = ApiToken.Ending.REVOKED_BY_USER,
    request: HttpRequest | None = None,
) -> ApiToken:
    """End one of the actor's own tokens (signing out of the API, or a lost phone).

    Side effects: audit `core.token.revoked`.
    """
    if token.user_id != actor.pk:
        raise ActionError.general(_("This is not one of your tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.ending = ending
        token.save(update_fields=["revoked_at", "ending"])
        audit.record(
            actor=actor,
            action="core.token.revoked",
            target=actor,
            request=request,
            details={"token": str(token.uuid), "ending": ending},
        )
    return token


@transaction.atomic
def revoke_api_tokens_of(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """An administrator ends every token of `user` (a lost phone, someone leaving).

    The actor needs core.manage_users in the user's organization. Returns how many ended.
    Side effects: audit `core.token.revoked` with the count.
    """
    _require_manage(actor, "core.manage_users", user.organization)
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), ending=ApiToken.Ending.REVOKED_BY_ADMIN
    )
    audit.record(
        actor=actor,
        action="core.token.revoked",
        target=user,
        request=request,
        details={"count": count, "ending": ApiToken.Ending.REVOKED_BY_ADMIN},
    )
    return count


# --- two-factor sign-in (django-otp) ----------------------------------------------------------

RECOVERY_CODES = 10


def verify_second_factor(*, user: User, code: str, request: HttpRequest | None = None) -> Device:
    """The device that accepts `code`: the authenticator app's current code, or a recovery
    code (used up). Wrong codes slow further tries down (django-otp's throttling), so this
    runs outside any caller's transaction: the count of failures must be kept.

    Side effects: audit `core.user.two_factor_verified` (with the method) or
    `core.user.two_factor_failed`; ActionError on `otp` when no device accepts the code.
    """
    code = "".join(code.split()).lower()
    devices: list[Device] = []
    if code.isdigit() and len(code) == 6:
        devices += TOTPDevice.objects.filter(user=user, confirmed=True)
    elif code:
        devices += StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        if not device.verify_is_allowed()[0]:
            audit.record(
                actor=user, action="core.user.two_factor_failed", target=user, request=request
            )
            raise ActionError.on("otp", _("Too many wrong codes: wait a minute and try again."))
        accepted = verify_token(user, device.persistent_id, code)
        if accepted is not None:
            method = "recovery_code" if isinstance(accepted, StaticDevice) else "authenticator"
            audit.record(
                actor=user,
                action="core.user.two_factor_verified",
                target=user,
                request=request,
                details={"method": method},
            )
            return accepted
    audit.record(actor=user, action="core.user.two_factor_failed", target=user, request=request)
    raise ActionError.on(
        "otp", _("This code is not valid. Check your phone's clock and try again.")
    )


@transaction.atomic
def start_two_factor_enrolment(*, user: User) -> TOTPDevice:
    """The authenticator key the user is about to add to their app (not yet confirmed).

    The same key comes back until it is confirmed, so reloading the page changes nothing.
    """
    if twofactor.authenticator_of(user) is not None:
        raise ActionError.general(_("Two-factor sign-in is already set up for this account."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def confirm_two_factor_enrolment(
    *, user: User, code: str, request: HttpRequest | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator app with one of its codes; returns the device and
    `RECOVERY_CODES` new recovery codes (shown once; any earlier ones stop working).

    Side effects: audit `core.user.two_factor_enrolled`; ActionError on `otp` for a wrong code.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ActionError.general(_("Start again: open the set-up page."))
    code = "".join(code.split())
    if not device.verify_is_allowed()[0]:
        raise ActionError.on("otp", _("Too many wrong codes: wait a minute and try again."))
    if not (code.isdigit() and device.verify_token(code)):  # counts failures, outside atomic
        raise ActionError.on(
            "otp", _("This code is not valid. Check your phone's clock and try again.")
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(
            actor=user, action="core.user.two_factor_enrolled", target=user, request=request
        )
    return device, codes


@transaction.atomic
def renew_recovery_codes(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """New recovery codes for an enrolled user; the old ones stop working.

    Side effects: audit `core.user.recovery_codes_renewed`.
    """
    if twofactor.authenticator_of(user) is None:
        raise ActionError.general(_("Set up two-factor sign-in first."))
    codes = _new_recovery_codes(user)
    audit.record(
        actor=user, action="core.user.recovery_codes_renewed", target=user, request=request
    )
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def reset_two_factor(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    """An administrator removes `user`'s authenticator and recovery codes (a lost phone): at
    their next sign-in they set up a new one. Needs core.manage_users in their organization
    (actor=None: the `reset-two-factor` command, run on the server).

    Side effects: audit `core.user.two_factor_reset`.
    """
    if actor is not None:
        _require_manage(actor, "core.manage_users", user.organization)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="core.user.two_factor_reset", target=user, request=request)
    return user


@transaction.atomic
def set_two_factor_policy(
    *, actor: User | None, organization: Organization, required: bool
) -> Organization:
    """Whether the organization's administrators and restricted-file readers need a second
    factor. Only platform administrators (or scripts, actor=None) may change it.

    Side effects: audit `core.organization.updated` (field `require_two_factor`).
    """
    if actor is not None and not actor.is_superuser:
        raise ActionError.general(_("Only platform administrators can change this policy."))
    if organization.require_two_factor != required:
        organization.require_two_factor = required
        organization.save(update_fields=["require_two_factor", "updated_at"])
        audit.record(
            actor=actor,
            action="core.organization.updated",
            target=organization,
            fields=["require_two_factor"],
        )
    return organization


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
