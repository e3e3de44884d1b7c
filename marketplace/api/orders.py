"""Orders API: orders, their status and tracking, shipments and tracking events.

Who sees what (``marketplace.selectors.scoping``): buyers their own orders, seller members their
sellers' orders, staff all; any other order is a 404. Who may act:

- ``POST /orders/`` — ``marketplace.add_order`` (integration, admins).
- ``POST /orders/<id>/status/`` — seller members of the order's seller and ``change_order`` staff:
  any legal move (else 409); the buyer: cancel a pending order only (else 403).
- ``POST /shipments/`` — seller members of the order's seller, or ``marketplace.add_shipment``.
- ``POST /shipments/<id>/events/`` — seller members of the order's seller, or
  ``marketplace.add_trackingevent``; a ``delivered`` scan delivers a shipped order.
"""

import json
from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Context, Decimal
from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors.users import user_has_permission
from core.api.errors import error_responses
from core.api.fields import IdField, SingleLineCharField
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import Forbidden
from core.pagination import PageNumberPagination
from core.permissions import HasRolePermission
from marketplace.api.filters import OrderFilter, ShipmentFilter
from marketplace.models import Currency, Order, OrderStatus, Product, Seller, Shipment
from marketplace.selectors.orders import (
    order_count,
    order_latest_shipment,
    order_list,
    order_rows,
    order_rows_as_api_json_supported,
    order_rows_items,
    order_status_answer_text,
    shipment_list,
    user_may_create_shipments,
)
from marketplace.selectors.scoping import order_visible_queryset
from marketplace.services.orders import (
    OrderLine,
    order_place,
    order_status_answer_send,
    order_status_change,
    shipment_create,
    tracking_event_add,
    user_may_add_tracking_event,
    user_may_change_order,
)


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def _money_input(**kwargs: Any) -> serializers.DecimalField:
    return _money(min_value=0, max_value=settings.MARKETPLACE_MAX_AMOUNT, **kwargs)


def _does_not_exist_message(value: int) -> str:
    return f'Invalid pk "{value}" - object does not exist.'


def _does_not_exist(value: int) -> serializers.ValidationError:
    return serializers.ValidationError(_does_not_exist_message(value), code="does_not_exist")


# --- Serializers ------------------------------------------------------------------------------


class OrderItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = serializers.IntegerField(source="product_id")
    product_name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = _money()
    line_total = _money()


class OrderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    buyer = serializers.IntegerField(source="buyer_id")
    seller = serializers.IntegerField(source="seller_id")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    currency = serializers.ChoiceField(choices=Currency.choices)
    items = OrderItemOutputSerializer(many=True)
    subtotal = _money()
    shipping_fee = _money()
    tax = _money()
    discount = _money()
    total = _money()
    placed_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# --- The list's rows, written out ---------------------------------------------------------------
# A list page is built from plain rows (``order_rows``, ``order_rows_items``) and formatted here
# exactly as ``OrderOutputSerializer`` formats an order: the same keys in the same order, money as
# DRF's DecimalField writes it (quantized to two places, ``"{:f}"``), times as its DateTimeField does
# (in the current time zone, ISO 8601, ``Z`` for UTC). Serializing a page of 20 orders with their
# items cost as much as the rest of the request; tests/marketplace/test_orders_list_fast.py holds
# the two outputs equal byte for byte.

_CENT = Decimal("0.01")
_MONEY_CONTEXT = Context(prec=14)  # max_digits: the serializer's field quantizes in this context


def _money_text(value: Decimal) -> str:
    return f"{value.quantize(_CENT, context=_MONEY_CONTEXT):f}"


def _time_text(value: datetime, zone: tzinfo) -> str:
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def order_list_payload(
    rows: Iterable[dict[str, Any]], items_by_order: dict[int, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Order rows with their items as ``OrderOutputSerializer(many=True).data`` renders them."""
    zone = timezone.get_current_timezone()
    return [
        {
            "id": row["id"],
            "number": row["number"],
            "buyer": row["buyer_id"],
            "seller": row["seller_id"],
            "status": row["status"],
            "currency": row["currency"],
            "items": [
                {
                    "id": item["id"],
                    "product": item["product_id"],
                    "product_name": item["product_name"],
                    "quantity": item["quantity"],
                    "unit_price": _money_text(item["unit_price"]),
                    "line_total": _money_text(item["line_total"]),
                }
                for item in items_by_order.get(row["id"], ())
            ],
            "subtotal": _money_text(row["subtotal"]),
            "shipping_fee": _money_text(row["shipping_fee"]),
            "tax": _money_text(row["tax"]),
            "discount": _money_text(row["discount"]),
            "total": _money_text(row["total"]),
            "placed_at": _time_text(row["placed_at"], zone),
            "created_at": _time_text(row["created_at"], zone),
            "updated_at": _time_text(row["updated_at"], zone),
        }
        for row in rows
    ]


class OrderItemInputSerializer(serializers.Serializer):
    product = IdField()
    quantity = serializers.IntegerField(min_value=1, max_value=settings.MARKETPLACE_MAX_QUANTITY)
    unit_price = _money_input()


class OrderCreateInputSerializer(serializers.Serializer):
    buyer = IdField()
    seller = IdField()
    items: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=OrderItemInputSerializer(), allow_empty=False, max_length=500
    )
    shipping_fee = _money_input(required=False, default=Decimal("0.00"))
    tax = _money_input(required=False, default=Decimal("0.00"))
    discount = _money_input(required=False, default=Decimal("0.00"))
    currency = serializers.ChoiceField(choices=Currency.choices)
    placed_at = serializers.DateTimeField(
        required=False, help_text="When the buyer placed it (defaults to now); never in the future."
    )

    def validate_buyer(self, value: int) -> User:
        buyer = User.objects.filter(pk=value).first()
        if buyer is None:
            raise _does_not_exist(value)
        return buyer

    def validate_seller(self, value: int) -> Seller:
        seller = Seller.objects.filter(pk=value).first()
        if seller is None:
            raise _does_not_exist(value)
        return seller

    def validate_items(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # One query for all the items' products; unknown ids are reported on the item at fault.
        ids = {item["product"] for item in value}
        products = {product.pk: product for product in Product.objects.filter(pk__in=ids)}
        errors = [
            {} if item["product"] in products else {"product": [_does_not_exist_message(item["product"])]}
            for item in value
        ]
        if any(errors):
            raise serializers.ValidationError(errors)
        return [{**item, "product": products[item["product"]]} for item in value]


class OrderStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class StatusAnswerInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=5000, required=False, help_text="Default: the answer built from the order and its shipment."
    )


class StatusAnswerOutputSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    text = serializers.CharField()


class TrackingEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shipment = serializers.IntegerField(source="shipment_id")
    occurred_at = serializers.DateTimeField()
    status = serializers.CharField()
    location = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


class TrackingEventInputSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    status = SingleLineCharField(max_length=40, help_text="Carrier status, e.g. in_transit, delivered.")
    location = SingleLineCharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TrackingScanSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    status = serializers.CharField()
    location = serializers.CharField()
    description = serializers.CharField()


class TrackingOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, help_text="The order's status.")
    carrier = serializers.CharField(allow_null=True)
    tracking_number = serializers.CharField(allow_null=True)
    expected_delivery = serializers.DateField(allow_null=True)
    events = TrackingScanSerializer(many=True)


class ShipmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField(source="order_id")
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    expected_delivery = serializers.DateField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    events = TrackingEventOutputSerializer(many=True)
    created_at = serializers.DateTimeField()


class ShipmentCreateInputSerializer(serializers.Serializer):
    order = IdField()
    carrier = SingleLineCharField(max_length=100)
    tracking_number = SingleLineCharField(max_length=100)
    expected_delivery = serializers.DateField(required=False, allow_null=True, default=None)
    shipped_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_order(self, value: int) -> Order:
        # An order the caller cannot see does not exist for them.
        order = order_visible_queryset(self.context["request"].user).filter(pk=value).first()
        if order is None:
            raise _does_not_exist(value)
        return order


# --- Views ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: OrderOutputSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: OrderOutputSerializer, **error_responses(401, 404)}),
    create=extend_schema(
        request=OrderCreateInputSerializer,
        responses={201: OrderOutputSerializer, **error_responses(400, 401, 403)},
        description="Record an order (integration, admins). Totals are computed: items + shipping_fee + tax "
        "- discount. Every product must belong to the seller and be priced in the order's currency.",
    ),
    status_change=extend_schema(
        request=OrderStatusInputSerializer,
        responses={200: OrderOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
        description="Move the order to another status (pending → processing → shipped → delivered; "
        "pending/processing → cancelled). Seller members and staff with change_order; the buyer may "
        "only cancel a pending order. Notifies the buyer.",
    ),
    tracking=extend_schema(
        responses={200: TrackingOutputSerializer, **error_responses(401, 404)},
        description="The order's status and its latest shipment's tracking (null fields before shipping).",
    ),
)
class OrderViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions = {"create": "marketplace.add_order"}
    serializer_class = OrderOutputSerializer
    filterset_class = OrderFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["placed_at", "total", "id"]
    ordering = ["-placed_at", "-id"]

    def get_queryset(self) -> QuerySet[Order]:
        return order_list(actor=self.request.user)  # type: ignore[arg-type]

    def list(self, request: Request) -> Response:
        # Statements, whatever the page size: the token with its user, the count (the tally for
        # staff's whole list), the page's rows with their items as JSON (PostgreSQL; elsewhere the
        # rows, then their items, formatted by order_list_payload exactly as OrderOutputSerializer).
        queryset = self.filter_queryset(self.get_queryset())
        # PostgreSQL writes the rows' JSON itself, times in UTC: when they are shown in UTC (always,
        # unless a time zone was activated), Python formats nothing.
        as_api_json = order_rows_as_api_json_supported() and timezone.get_current_timezone_name() == "UTC"
        paginator = cast(PageNumberPagination, self.paginator)
        page = paginator.paginate_queryset(
            order_rows(queryset, as_api_json=as_api_json), request, self, count=lambda: order_count(queryset)
        )
        rows = page or []
        if as_api_json:
            return self.get_paginated_response([json.loads(row["json"]) for row in rows])
        return self.get_paginated_response(order_list_payload(rows, order_rows_items(rows)))

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(OrderOutputSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = OrderCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = order_place(
            actor=request.user,  # type: ignore[arg-type]
            buyer=data["buyer"],
            seller=data["seller"],
            lines=[
                OrderLine(product=item["product"], quantity=item["quantity"], unit_price=item["unit_price"])
                for item in data["items"]
            ],
            currency=data["currency"],
            shipping_fee=data["shipping_fee"],
            tax=data["tax"],
            discount=data["discount"],
            placed_at=data.get("placed_at"),
            now=timezone.now(),
        )
        created = self.get_queryset().get(pk=order.pk)
        return Response(OrderOutputSerializer(created).data, status=status.HTTP_201_CREATED)

    @action(
        detail=True, methods=["post"], url_path="status", url_name="status", filter_backends=[], pagination_class=None
    )
    def status_change(self, request: Request, pk: str | None = None) -> Response:
        order = self.get_object()
        # The role decides before the input does: a caller who may not act gets 403, not a 400.
        if request.user.pk != order.buyer_id and not user_may_change_order(actor=request.user, order=order):  # type: ignore[arg-type]
            raise Forbidden("You may not change this order's status.")
        serializer = OrderStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_status_change(
            order=order,
            to_status=serializer.validated_data["status"],
            note=serializer.validated_data["note"],
            actor=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
        )
        return Response(OrderOutputSerializer(self.get_queryset().get(pk=order.pk)).data)

    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def tracking(self, request: Request, pk: str | None = None) -> Response:
        order = self.get_object()
        shipment = order_latest_shipment(order=order)
        payload = {
            "status": order.status,
            "carrier": shipment.carrier if shipment else None,
            "tracking_number": shipment.tracking_number if shipment else None,
            "expected_delivery": shipment.expected_delivery if shipment else None,
            "events": list(shipment.events.all()) if shipment else [],
        }
        return Response(TrackingOutputSerializer(payload).data)

    @extend_schema(
        methods=["GET"],
        responses={200: StatusAnswerOutputSerializer, **error_responses(401, 404)},
        description='The answer to "where is my order?", built from the order and its shipment events.',
    )
    @extend_schema(
        methods=["POST"],
        request=StatusAnswerInputSerializer,
        responses={201: StatusAnswerOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Send the buyer that answer (staff): the built text, or `text` as edited. Logged as an "
        "order event; the buyer is notified.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="status-answer",
        url_name="status-answer",
        filter_backends=[],
        pagination_class=None,
    )
    def status_answer(self, request: Request, pk: str | None = None) -> Response:
        order = self.get_object()
        now = timezone.now()
        if request.method == "GET":
            return Response({"order": order.pk, "text": order_status_answer_text(order=order, now=now)})
        if not user_has_permission(request.user, "marketplace.view_order"):  # type: ignore[arg-type]
            raise Forbidden("Only staff send order-status answers.", code="permission_denied")
        serializer = StatusAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = order_status_answer_send(
            order=order,
            actor=request.user,  # type: ignore[arg-type]
            now=now,
            text=serializer.validated_data.get("text"),
        )
        return Response({"order": order.pk, "text": text}, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(responses={200: ShipmentOutputSerializer(many=True), **error_responses(400, 401)}),
    retrieve=extend_schema(responses={200: ShipmentOutputSerializer, **error_responses(401, 404)}),
    create=extend_schema(
        request=ShipmentCreateInputSerializer,
        responses={201: ShipmentOutputSerializer, **error_responses(400, 401, 403, 409)},
        description="Record a shipment: seller members of the order's seller, or add_shipment. "
        "Cancelled and delivered orders cannot get one (409).",
    ),
    events=extend_schema(
        request=TrackingEventInputSerializer,
        responses={201: TrackingEventOutputSerializer, **error_responses(400, 401, 403, 404)},
        description="Record a carrier scan. A `delivered` scan on a shipped order delivers it (buyer notified).",
    ),
)
class ShipmentViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"create": lambda user: user_may_create_shipments(actor=user)}
    serializer_class = ShipmentOutputSerializer
    filterset_class = ShipmentFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "shipped_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Shipment]:
        return shipment_list(actor=self.request.user)  # type: ignore[arg-type]

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ShipmentOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ShipmentOutputSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = ShipmentCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        shipment = shipment_create(actor=request.user, now=timezone.now(), **serializer.validated_data)  # type: ignore[arg-type]
        return Response(
            ShipmentOutputSerializer(self.get_queryset().get(pk=shipment.pk)).data, status=status.HTTP_201_CREATED
        )

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def events(self, request: Request, pk: str | None = None) -> Response:
        shipment = self.get_object()
        if not user_may_add_tracking_event(actor=request.user, order=shipment.order):  # type: ignore[arg-type]
            raise Forbidden("You may not add tracking events to this shipment.")
        serializer = TrackingEventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = tracking_event_add(
            shipment=shipment,
            actor=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
            **serializer.validated_data,
        )
        return Response(TrackingEventOutputSerializer(event).data, status=status.HTTP_201_CREATED)


router = IdRouter()
router.register("orders", OrderViewSet, basename="orders")
router.register("shipments", ShipmentViewSet, basename="shipments")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
