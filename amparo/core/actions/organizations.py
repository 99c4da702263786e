"""Organizations, offices, users, roles and the language a user reads in."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from amparo.core import audit
from amparo.core.actions._checks import languages, require_manage
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
        require_manage(actor, "core.manage_offices", organization)
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
        require_manage(actor, "core.manage_users", organization)
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
    if language not in dict(languages()):
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
    require_manage(actor, "core.manage_roles", role.organization)
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
