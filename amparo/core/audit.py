"""The audit trail: namespaced events, no personal data in payloads (ids and field names only)."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.db.models import Model
from django.http import HttpRequest

from amparo.core.models import AuditEvent, User


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address; behind a trusted proxy, the right-most hop it added."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in settings.AMPARO_TRUSTED_PROXIES and forwarded:
        return forwarded.split(",")[-1].strip() or remote
    return remote


def record(
    *,
    actor: User | None,
    action: str,
    target: Model | None = None,
    fields: Iterable[str] = (),
    request: HttpRequest | None = None,
    organization_id: int | None = None,
    actor_username: str = "",
    details: dict | None = None,
    restricted_office_id: int | None = None,
) -> AuditEvent:
    """Append one event. `action` is namespaced: ``<app>.<model>.<verb>``.

    `restricted_office_id` marks an event about an office's restricted files that has no
    restricted record as its target (an export of its GBV incidents, say)."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    if organization_id is None:
        organization_id = _organization_of(target) or (actor.organization_id if actor else None)
    target_id = ""
    if target is not None:
        target_id = str(getattr(target, "uuid", None) or target.pk)
    # A record of a restricted file (and everything hanging off it) says which office's GBV
    # team may read events about it; see `audit_restricted_office_id` on the cases' models.
    restricted_office_id = restricted_office_id or getattr(
        target, "audit_restricted_office_id", None
    )
    # Sensitive feedback declares its own readers (`FeedbackEntry.audit_audience`).
    audience = getattr(target, "audit_audience", "") or None
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=(actor.get_username() if actor else actor_username)[:150],
        organization_id=organization_id,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target_id,
        fields=sorted(fields),
        ip_address=client_address(request),
        details=details or {},
        restricted_office_id=restricted_office_id,
        audience=audience,
    )


def record_view(*, request: HttpRequest, target: Model) -> AuditEvent:
    """Record that the requesting user looked at `target` (detail pages and API details)."""
    verb = f"{target._meta.app_label}.{target._meta.model_name}.viewed"
    user = request.user
    actor = user if user.is_authenticated else None
    return record(actor=actor, action=verb, target=target, request=request)


def _organization_of(target: Model | None) -> int | None:
    if target is None:
        return None
    if target._meta.label_lower == "core.organization":
        return target.pk
    return getattr(target, "organization_id", None)


def _on_login(sender, request, user, **kwargs) -> None:
    record(actor=user, action="core.user.logged_in", target=user, request=request)


def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(actor=user, action="core.user.logged_out", target=user, request=request)


def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=username).first()
    # What was typed is kept only when it names an account: people type passwords and ID
    # numbers into the user-name box, and this log cannot be edited.
    record(
        actor=None,
        actor_username=username if known else "",
        action="core.user.login_failed",
        target=known,
        request=request,
        organization_id=known.organization_id if known else None,
    )


def connect_login_signals() -> None:
    auth_signals.user_logged_in.connect(_on_login, dispatch_uid="amparo-audit-login")
    auth_signals.user_logged_out.connect(_on_logout, dispatch_uid="amparo-audit-logout")
    auth_signals.user_login_failed.connect(_on_login_failed, dispatch_uid="amparo-audit-failed")
