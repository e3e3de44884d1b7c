"""Webhooks API: endpoints (register, read, change, remove), their delivery log, replay of one
delivery or of every failed one in a range, and a ping.

An administrator sees every endpoint, the integration client its own; for everyone else the
collection is 403 and any endpoint 404 (``webhooks.selectors.endpoints``).
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.permissions import HasRolePermission
from webhooks.api.filters import DeliveryFilter
from webhooks.api.serializers import (
    DeliveryDetailSerializer,
    DeliveryOutputSerializer,
    EndpointCreatedSerializer,
    EndpointInputSerializer,
    EndpointOutputSerializer,
    EndpointUpdateSerializer,
    ReplayRangeInputSerializer,
    ReplayRangeOutputSerializer,
)
from webhooks.models import Delivery, Endpoint
from webhooks.selectors.endpoints import delivery_list, endpoint_list, user_manages_webhooks
from webhooks.services.deliveries import deliveries_replay_failed, delivery_replay, endpoint_ping
from webhooks.services.endpoints import endpoint_create, endpoint_update


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook endpoints (administrators: all; the integration client: its own)",
        responses={200: EndpointOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    create=extend_schema(
        summary="Register a webhook endpoint",
        description="Events of the listed types are POSTed to `url` as JSON `{id, type, created_at, data}`, "
        'signed: `X-SayPro-Signature: sha256=` HMAC-SHA256 of `X-SayPro-Timestamp + "." + body` with the '
        "secret. The secret is generated when left out and shown only in this answer.",
        request=EndpointInputSerializer,
        responses={201: EndpointCreatedSerializer, **error_responses(400, 401, 403, 409)},
    ),
    retrieve=extend_schema(
        summary="A webhook endpoint", responses={200: EndpointOutputSerializer, **error_responses(401, 404)}
    ),
    partial_update=extend_schema(
        summary="Change an endpoint (`is_active: true` turns a paused one on and sends what waited)",
        request=EndpointUpdateSerializer,
        responses={200: EndpointOutputSerializer, **WRITE_ERRORS},
    ),
    ping=extend_schema(
        summary="Send a signed `webhook.ping` event to this endpoint alone",
        request=None,
        responses={201: DeliveryOutputSerializer, **WRITE_ERRORS},
    ),
)
class EndpointViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"list": user_manages_webhooks, "create": user_manages_webhooks}
    serializer_class = EndpointOutputSerializer
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self) -> QuerySet[Endpoint]:
        return endpoint_list(actor=_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EndpointOutputSerializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = EndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint = endpoint_create(
            actor=_user(request),
            url=data["url"],
            events=list(data["events"]),
            secret=data.get("secret") or None,
            is_active=data["is_active"],
            description=data["description"],
            now=timezone.now(),
        )
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(EndpointOutputSerializer(self.get_object()).data)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        serializer = EndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = {key: value for key, value in serializer.validated_data.items() if key in request.data}
        if "events" in changes:
            changes["events"] = list(changes["events"])
        endpoint = endpoint_update(endpoint=endpoint, actor=_user(request), changes=changes, now=timezone.now())
        return Response(EndpointOutputSerializer(self.get_queryset().get(pk=endpoint.pk)).data)

    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        pagination_class=None,
        serializer_class=DeliveryOutputSerializer,
    )
    def ping(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        delivery = endpoint_ping(endpoint=endpoint, actor=_user(request), now=timezone.now())
        fresh = delivery_list(endpoint=endpoint).get(pk=delivery.pk)
        return Response(DeliveryOutputSerializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="The endpoint's deliveries, newest first",
        responses={200: DeliveryOutputSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="One delivery with every attempt (status code, time taken, first bytes of the answer)",
        responses={200: DeliveryDetailSerializer, **error_responses(401, 404)},
    ),
    replay=extend_schema(
        summary="Send a delivery's event again (same event id) as a new delivery",
        request=None,
        responses={201: DeliveryOutputSerializer, **WRITE_ERRORS},
    ),
    replay_failed=extend_schema(
        operation_id="v1_webhooks_deliveries_replay_failed",
        summary="Send again every delivery to this endpoint that failed for good in a time range",
        request=ReplayRangeInputSerializer,
        responses={200: ReplayRangeOutputSerializer, **WRITE_ERRORS},
    ),
)
class DeliveryViewSet(viewsets.GenericViewSet):
    """``/webhooks/<endpoint>/deliveries/``: the endpoint is found through the caller's endpoints
    (404 otherwise), the delivery among that endpoint's."""

    permission_classes = [HasRolePermission]
    serializer_class = DeliveryOutputSerializer
    filterset_class = DeliveryFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "id"]

    def _endpoint(self) -> Endpoint:
        return get_object_or_404(endpoint_list(actor=_user(self.request)), pk=self.kwargs["endpoint_pk"])

    def get_queryset(self) -> QuerySet[Delivery]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no request, no endpoint
            return Delivery.objects.none()
        deliveries = delivery_list(endpoint=self._endpoint())
        return deliveries if self.action == "list" else deliveries.prefetch_related("attempt_log")

    def list(self, request: Request, endpoint_pk: int = 0) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DeliveryOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, endpoint_pk: int = 0, pk: str | None = None) -> Response:
        return Response(DeliveryDetailSerializer(self.get_object()).data)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def replay(self, request: Request, endpoint_pk: int = 0, pk: str | None = None) -> Response:
        delivery = self.get_object()
        replayed = delivery_replay(delivery=delivery, actor=_user(request), now=timezone.now())
        fresh = delivery_list(endpoint=delivery.endpoint).get(pk=replayed.pk)
        return Response(DeliveryOutputSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @action(
        detail=False,
        methods=["post"],
        url_path="replay",
        url_name="replay-failed",
        filter_backends=[],
        pagination_class=None,
        serializer_class=ReplayRangeOutputSerializer,
    )
    def replay_failed(self, request: Request, endpoint_pk: int = 0) -> Response:
        endpoint = self._endpoint()
        serializer = ReplayRangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        queued = deliveries_replay_failed(
            endpoint=endpoint,
            since=serializer.validated_data["since"],
            until=serializer.validated_data["until"],
            actor=_user(request),
            now=timezone.now(),
        )
        return Response({"queued": queued})


router = IdRouter()
router.register("webhooks", EndpointViewSet, basename="webhooks")
router.register("webhooks/<id:endpoint_pk>/deliveries", DeliveryViewSet, basename="webhook-deliveries")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
