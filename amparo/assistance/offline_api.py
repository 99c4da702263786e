"""The distribution point's offline list: `GET /api/v1/cycles/{id}/offline/`.

One answer with every pending and delivered entitlement of an open cycle that the caller may
deliver (the minimum each: `queries_offline`), for the distribution screen to keep in the
phone's IndexedDB and work from when the connection drops. Never kept by an HTTP cache
(`no-store`); the page deletes its copy at `expires_at`, when the cycle is no longer open and
on sign-out. Audited: one event with the number of households.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.assistance import queries
from amparo.assistance.models import Cycle
from amparo.assistance.queries_offline import offline_list
from amparo.core import access, audit
from amparo.core.drf import signed_in


class OfflineMemberSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    given_names = serializers.CharField()
    head = serializers.BooleanField()


class OfflineDeliverySerializer(serializers.Serializer):
    delivered_at = serializers.DateTimeField()
    delivered_by = serializers.CharField()


class OfflineEntitlementSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    household_reference = serializers.CharField()
    card = serializers.CharField(allow_null=True, help_text="the household's card number in use")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = serializers.CharField(help_text="pending or delivered")
    members = OfflineMemberSerializer(many=True, help_text="given names only; empty if delivered")
    delivery = OfflineDeliverySerializer(allow_null=True)


class OfflineCycleSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    assistance_type = serializers.CharField()
    currency = serializers.CharField()


class OfflineListSerializer(serializers.Serializer):
    cycle = OfflineCycleSerializer()
    officer = serializers.UUIDField(help_text="the user who downloaded the list")
    downloaded_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="when the page deletes its copy")
    entitlements = OfflineEntitlementSerializer(many=True)


class OfflineListViewSet(viewsets.ViewSet):
    """An open cycle's entitlements for a distribution point to work offline (audited)."""

    @extend_schema(
        responses=OfflineListSerializer,
        parameters=[OpenApiParameter("cycle_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
    )
    def list(self, request: Request, cycle_id=None) -> Response:
        user = signed_in(request)
        access.require(user, "assistance.distribute")
        cycle: Cycle = access.get_visible(queries.open_cycles_for(user), uuid=cycle_id)
        entries = offline_list(user, cycle)
        now = timezone.now()
        audit.record(
            actor=user,
            action="assistance.cycle.downloaded",
            target=cycle,
            request=request,
            details={"households": len(entries)},
        )
        body = {
            "cycle": {
                "id": str(cycle.uuid),
                "name": cycle.name,
                "assistance_type": cycle.get_assistance_type_display(),
                "currency": cycle.currency,
            },
            "officer": str(user.uuid),
            "downloaded_at": now.isoformat(),
            "expires_at": (
                now + datetime.timedelta(hours=settings.AMPARO_OFFLINE_LIST_HOURS)
            ).isoformat(),
            "entitlements": entries,
        }
        return Response(body, headers={"Cache-Control": "no-store, private"})


def register(router) -> None:
    router.register(
        r"cycles/(?P<cycle_id>[^/.]+)/offline", OfflineListViewSet, basename="cycle-offline"
    )
