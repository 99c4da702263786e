"""API tokens (issue, note use, revoke) and two-factor sign-in (enrol, verify, recovery codes)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.core import audit, twofactor
from amparo.core.actions._checks import require_manage
from amparo.core.errors import ActionError
from amparo.core.models import ApiToken, User


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
    require_manage(actor, "core.manage_users", user.organization)
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
        require_manage(actor, "core.manage_users", user.organization)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="core.user.two_factor_reset", target=user, request=request)
    return user
