"""Every read of core records that a screen, endpoint or export shows, already scoped."""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from amparo.core import access
from amparo.core.models import ApiToken, Area, AuditEvent, Office, Organization, Role, User


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    """Superusers see every organization; everyone else only their own."""
    qs = Organization.objects.all()
    if user.is_authenticated and user.is_superuser:
        return qs
    return access.visible(user, qs, organization_field="pk", office_field=None)


def offices_visible_to(user: User) -> QuerySet[Office]:
    """Offices of the user's organization; an office-bound user sees only their own office."""
    if not (access.can(user, "core.view_offices") or access.can(user, "core.view_team")):
        return Office.objects.none()
    qs = Office.objects.select_related("organization", "area")
    return access.visible(user, qs, office_field="pk")


def get_office_for(user: User, office_id: UUID | str) -> Office:
    return access.get_visible(offices_visible_to(user), uuid=office_id)


def users_visible_to(user: User) -> QuerySet[User]:
    """Colleagues: the organization's users, or the office's for office-bound roles."""
    if not (access.can(user, "core.view_team") or access.can(user, "core.manage_users")):
        return User.objects.none()
    return access.visible(user, User.objects.all())


def get_user_for(user: User, user_id: UUID | str) -> User:
    return access.get_visible(users_visible_to(user), uuid=user_id)


def roles_available_to(user: User) -> QuerySet[Role]:
    """Built-in roles and the user's organization's own roles."""
    qs = Role.objects.all()
    if user.is_superuser:
        return qs
    builtin = qs.filter(organization__isnull=True)
    if user.organization_id is None:
        return builtin
    return builtin | qs.filter(organization_id=user.organization_id)


# Who may open the audit log: its readers, and GBV coordinators for their team's files.
AUDIT_READERS = ("core.view_audit", "cases.gbv_audit", "feedback.psea")


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """The organization's audit trail, for roles that may read it (never office-bound).

    Events about a restricted (GBV or PSEA) file are left out entirely — from lists, filters,
    counts and details alike — unless the user is on that office's GBV team and may read its
    audit trail (`core.view_audit` or `cases.gbv_audit`). Administrators and platform
    operators manage the GBV team; its coordinator oversees who read the files. Events about
    sensitive feedback (`audience` "psea") are read by the ethics focal points
    (`feedback.psea`) alone.
    """
    if not access.can_any(user, AUDIT_READERS):
        return AuditEvent.objects.none()
    reads_log = access.can(user, "core.view_audit")
    qs = access.visible(user, AuditEvent.objects.select_related("actor"), office_field=None)
    condition = Q(restricted_office__in=gbv_team_offices(user))
    if reads_log:
        condition |= Q(restricted_office__isnull=True, audience__isnull=True)
    if access.role_grants(user, "feedback.psea"):
        condition |= Q(audience=AuditEvent.PSEA)
    return qs.filter(condition)


def gbv_team_offices(user: User) -> QuerySet[Office]:
    """The offices on whose GBV team `user` is (the same rule as the cases' team condition).

    Membership rows belong to `cases` (`GBVTeamMember`, reverse name `gbv_team`); core names
    the relation without importing the app above it.
    """
    if not access.can(user, "cases.gbv"):
        return Office.objects.none()
    return Office.objects.filter(gbv_team__user_id=user.pk)


def organization_offices(user: User) -> QuerySet[Office]:
    """Every office of the user's organization, office-bound or not (to name one by its code)."""
    return access.visible(user, Office.objects.all(), office_field=None)


def offices_in_scope(user: User) -> QuerySet[Office]:
    """Offices of the user's organization; only their own for an office-bound role."""
    return access.visible(user, Office.objects.all(), office_field="pk")


def area_by_code(code: str) -> Area | None:
    """The area with this code (P-codes as written, ISO codes in any case), with its parents."""
    qs = Area.objects.select_related("parent__parent__parent")
    code = code.strip()
    return qs.filter(code=code).first() or qs.filter(code=code.upper()).first()


def areas(*, country_code: str | None = None, level: int | None = None) -> QuerySet[Area]:
    """Reference data, the same for every user."""
    qs = Area.objects.select_related("parent")
    if country_code:
        qs = qs.filter(country_code=country_code.upper())
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def live_api_token(key: str) -> ApiToken | None:
    """The token with this key, if it still works: not revoked, not expired, issued under the
    account's current password, to an active account."""
    token = (
        # The user's role, organization and office come with it: every request reads them.
        ApiToken.objects.select_related("user", "user__role", "user__organization", "user__office")
        .filter(
            key_hash=ApiToken.hash_key(key),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    if token is None or token.password_stamp != ApiToken.stamp_of(token.user):
        return None
    return token


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens that still work (newest first); the keys themselves are not kept."""
    return ApiToken.objects.filter(
        user_id=user.pk,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        password_stamp=ApiToken.stamp_of(user),
    )


def get_api_token_of(user: User, token_id: UUID | str) -> ApiToken:
    return access.get_visible(api_tokens_of(user), uuid=token_id)


def history_for(user: User, target_ids: list[str], limit: int = 30) -> list[AuditEvent]:
    """Changes recorded on these records (views left out), newest first, from the user's
    organization's audit trail, each with `actor_name` for `events.sentence`.

    The caller has already shown that the user may see the records. Actors the user may not
    see in the team directory stay anonymous.
    """
    # Events about a restricted file stay with that office's GBV team, here as in the log.
    restricted_ok = Q(restricted_office__isnull=True) | Q(
        restricted_office__in=gbv_team_offices(user)
    )
    # So do events about sensitive feedback, with the ethics focal points.
    if not access.role_grants(user, "feedback.psea"):
        restricted_ok &= Q(audience__isnull=True)
    events = list(
        access.visible(user, AuditEvent.objects.all(), office_field=None)
        .filter(restricted_ok, target_id__in=target_ids)
        .exclude(action__endswith=".viewed")
        .order_by("-at")[:limit]
    )
    known = {
        u.pk: u.get_full_name() or u.get_username()
        for u in users_visible_to(user).filter(pk__in={e.actor_id for e in events if e.actor_id})
    }
    known[user.pk] = user.get_full_name() or user.get_username()
    for event in events:
        name = known.get(event.actor_id, "") if event.actor_id is not None else ""
        event.actor_name = name  # type: ignore[attr-defined]
        if not name:
            event.actor_username = ""
    return events
