"""Who must confirm their sign-in with a second factor (TOTP, django-otp), and what they have.

The rule: an active account whose organization's policy asks for it (`Organization.
require_two_factor`, on by default) and who administers accounts or can read restricted files
— a role with one of `roles.TWO_FACTOR_PERMISSIONS`, or a place on a GBV team (apps above
core add such conditions with `add_requirement`, so core need not know their tables).
Platform administrators need it unless `AMPARO_TWO_FACTOR_FOR_PLATFORM_ADMINS` is off.
"""

from collections.abc import Callable

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.core.models import User
from amparo.core.roles import TWO_FACTOR_PERMISSIONS

_requirements: list[Callable[[User], bool]] = []


def add_requirement(condition: Callable[[User], bool]) -> None:
    """Another app's reason to ask for a second factor (called from its `AppConfig.ready`)."""
    if condition not in _requirements:
        _requirements.append(condition)


def required_for(user: User) -> bool:
    """Must `user` confirm each sign-in with a code?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return settings.AMPARO_TWO_FACTOR_FOR_PLATFORM_ADMINS
    if user.organization is None or not user.organization.require_two_factor:
        return False
    if user.permissions & TWO_FACTOR_PERMISSIONS:
        return True
    return any(condition(user) for condition in _requirements)


def authenticator_of(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
