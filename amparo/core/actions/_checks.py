"""Checks the core actions share."""

from django.utils.translation import gettext as _

from amparo.core import access
from amparo.core.errors import ActionError
from amparo.core.models import Organization, User


def languages():
    from django.conf import settings

    return settings.LANGUAGES


def require_manage(actor: User, permission: str, organization: Organization | None) -> None:
    if actor.is_superuser:
        return
    access.require(actor, permission)
    if organization is None or organization.pk != actor.organization_id:
        raise ActionError.general(_("You can only manage your own organization."))
