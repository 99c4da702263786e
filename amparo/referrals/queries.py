"""Every read of the service directory, care routes and referrals, already scoped."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from amparo.core import access
from amparo.core.models import User
from amparo.referrals.models import CareRoute, Provider, Service

DIRECTORY_READERS = ("referrals.view", "referrals.manage", "referrals.manage_directory")


def _reads_directory(user: User) -> bool:
    return any(access.can(user, p) for p in DIRECTORY_READERS)


def providers_visible_to(user: User) -> QuerySet[Provider]:
    """The providers listed in the user's organization's directory."""
    if not _reads_directory(user):
        return Provider.objects.none()
    return access.visible(user, Provider.objects.all(), office_field=None)


def services_visible_to(user: User) -> QuerySet[Service]:
    """Services of the user's organization's directory (active and inactive)."""
    if not _reads_directory(user):
        return Service.objects.none()
    qs = Service.objects.select_related("provider", "provider__agency")
    return access.visible(user, qs, organization_field="provider__organization", office_field=None)


def services_in_area(user: User, area_id: int | None) -> QuerySet[Service]:
    """Active services that serve `area_id` or one of its parents (or everywhere, with no areas)."""
    from amparo.core.models import Area

    qs = services_visible_to(user).filter(is_active=True, provider__is_active=True)
    if area_id is None:
        return qs
    chain = []
    area = Area.objects.filter(pk=area_id).first()
    while area is not None:
        chain.append(area.pk)
        area = area.parent
    return qs.filter(Q(areas__in=chain) | Q(areas__isnull=True)).distinct()


def care_routes_visible_to(user: User) -> QuerySet[CareRoute]:
    if not _reads_directory(user):
        return CareRoute.objects.none()
    qs = CareRoute.objects.select_related("area").prefetch_related("steps__service__provider")
    return access.visible(user, qs, office_field=None)
