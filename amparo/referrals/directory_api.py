"""REST API for the service directory and care routes: read-only, the same access policy as
the screens (the user's organization's directory; anything else answers 404).

/api/v1/services/ is a stable interface other tools rely on: add fields, never rename or
remove them. Rows shared by a coordination network the organization belongs to are listed beside
its own, with `network` naming it (null for the organization's own rows).
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from amparo.cases.models import CaseType, ServiceType
from amparo.core.drf import ScopedMixin
from amparo.core.models import Area, User
from amparo.core.queries import area_by_code
from amparo.referrals import queries
from amparo.referrals.models import (
    CareRoute,
    CareRouteStep,
    Provider,
    ProviderKind,
    Service,
)

# --- serializers ------------------------------------------------------------------------------


class ProviderSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    agency = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        help_text="Code of the organization whose focal points receive referrals in Amparo; "
        "null for agencies without accounts.",
    )

    class Meta:
        model = Provider
        fields = ["id", "name", "kind", "agency"]


class ServiceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    provider = ProviderSummarySerializer(read_only=True)
    areas = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text="ISO 3166-2 codes or P-codes of the areas served; empty: serves everywhere.",
    )
    languages = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="ISO 639-1 codes of the languages the service is given in.",
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "type",
            "name",
            "provider",
            "areas",
            "hours",
            "eligibility",
            "languages",
            "is_active",
        ]


class ProviderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    office = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="For units of the organization: the office."
    )
    services = serializers.SlugRelatedField(
        slug_field="uuid",
        many=True,
        read_only=True,
        help_text="Ids of the provider's services (see /api/v1/services/).",
    )
    network = serializers.StringRelatedField(
        read_only=True,
        help_text="The coordination network that shares this provider; null: the "
        "organization's own.",
    )
    country = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        help_text="ISO 3166-1 code, for a provider abroad (referrals need consent to share "
        "abroad); null otherwise.",
    )

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "kind",
            "agency",
            "office",
            "contact_name",
            "phone",
            "email",
            "address",
            "is_active",
            "services",
            "network",
            "country",
        ]


class CareRouteStepSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, help_text="Id of the service (see /api/v1/services/)."
    )
    service_name = serializers.CharField(source="service.name", read_only=True)
    provider_name = serializers.CharField(source="service.provider.name", read_only=True)

    class Meta:
        model = CareRouteStep
        fields = ["position", "service", "service_name", "provider_name", "note"]


class CareRouteSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    steps = CareRouteStepSerializer(many=True, read_only=True, help_text="In the route's order.")
    network = serializers.StringRelatedField(
        read_only=True,
        help_text="The coordination network that shares this route; null: the organization's own.",
    )

    class Meta:
        model = CareRoute
        fields = ["id", "name", "area", "need", "steps", "network"]


# --- filters ----------------------------------------------------------------------------------


def _area(code: str) -> Area:
    area = area_by_code(code)
    if area is None:
        raise serializers.ValidationError(
            {"area": [_("No area has the code “%(code)s”.") % {"code": code}]}
        )
    return area


class ServiceFilter(filters.FilterSet):
    type = filters.ChoiceFilter(choices=ServiceType.choices)
    area = filters.CharFilter(
        method="serving",
        label="Area code (ISO 3166-2 or P-code): services listed for it, for an area above it, "
        "or for no area (everywhere).",
    )
    provider = filters.UUIDFilter(field_name="provider__uuid", label="Provider id")
    is_active = filters.BooleanFilter()

    class Meta:
        model = Service
        fields = ["type", "area", "provider", "is_active"]

    def serving(self, queryset: QuerySet[Service], name: str, value: str) -> QuerySet[Service]:
        return queryset.filter(pk__in=queries.services_serving(self.request.user, _area(value)))


class ProviderFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ProviderKind.choices)
    agency = filters.CharFilter(field_name="agency__code", label="Agency (organization code)")
    is_active = filters.BooleanFilter()

    class Meta:
        model = Provider
        fields = ["kind", "agency", "is_active"]


class CareRouteFilter(filters.FilterSet):
    area = filters.CharFilter(
        method="serving",
        label="Area code: the routes of this area and of the areas above it.",
    )
    need = filters.ChoiceFilter(choices=CaseType.choices)

    class Meta:
        model = CareRoute
        fields = ["area", "need"]

    def serving(self, queryset: QuerySet[CareRoute], name: str, value: str) -> QuerySet[CareRoute]:
        return queryset.filter(area__in=queries.area_and_parents(_area(value)))


# --- views ------------------------------------------------------------------------------------


class DirectoryMixin(ScopedMixin):
    """Users whose role does not read the directory get 404, lists included."""

    def get_queryset(self):
        fake = getattr(self, "swagger_fake_view", False)
        if not fake and not queries.can_read_directory(self.request.user):
            raise Http404
        return super().get_queryset()


def _services(user: User) -> QuerySet[Service]:
    return (
        queries.services_visible_to(user)
        .prefetch_related("areas")
        .order_by("provider__name", "name", "id")
    )


def _providers(user: User) -> QuerySet[Provider]:
    return (
        queries.providers_visible_to(user)
        .select_related("agency", "office", "network", "country")
        .prefetch_related(Prefetch("services", queryset=queries.services_in_order()))
        .order_by("name", "id")
    )


def _care_routes(user: User) -> QuerySet[CareRoute]:
    # The query prefetches the steps (in order) with their services and providers.
    return (
        queries.care_routes_visible_to(user)
        .select_related("network")
        .order_by("area__code", "need", "id")
    )


@extend_schema_view(
    list=extend_schema(
        summary="Services of the directory",
        description="The services listed in the user's organization's directory (active and "
        "inactive). Stable interface: fields are only ever added.",
    ),
    retrieve=extend_schema(summary="One service"),
)
class ServiceViewSet(DirectoryMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Service.objects.none()
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    scoped_queryset = staticmethod(_services)


@extend_schema_view(
    list=extend_schema(summary="Providers of the directory"),
    retrieve=extend_schema(summary="One provider"),
)
class ProviderViewSet(DirectoryMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Provider.objects.none()
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilter
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    scoped_queryset = staticmethod(_providers)


@extend_schema_view(
    list=extend_schema(
        summary="Care routes",
        description="For an area and a need, the services to refer to, in order.",
    ),
    retrieve=extend_schema(summary="One care route"),
)
class CareRouteViewSet(DirectoryMixin, viewsets.ReadOnlyModelViewSet):
    queryset = CareRoute.objects.none()
    serializer_class = CareRouteSerializer
    filterset_class = CareRouteFilter
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    scoped_queryset = staticmethod(_care_routes)


def register(router) -> None:
    """Add the directory's endpoints to the /api/v1/ router."""
    router.register("services", ServiceViewSet, basename="service")
    router.register("providers", ProviderViewSet, basename="provider")
    router.register("care-routes", CareRouteViewSet, basename="care-route")
