"""How marketplace records appear in webhook events (``webhooks.resources``): an order and a
refund exactly as ``GET /api/v1/orders/<id>/`` and ``GET /api/v1/refunds/<id>/`` show them to
staff, built with the same serializers and the same related loading, in a constant number of
statements per batch (orders: the orders, then their items; refunds: one)."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch

from core.api.rendering import api_json
from marketplace.api.billing import RefundOutputSerializer
from marketplace.api.orders import OrderOutputSerializer
from marketplace.models import Order, OrderItem, Refund


def orders_render(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    orders = Order.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )
    return {order.pk: api_json(OrderOutputSerializer(order).data) for order in orders}


def refunds_render(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    refunds = Refund.objects.filter(pk__in=ids).select_related("payment")
    return {refund.pk: api_json(RefundOutputSerializer(refund).data) for refund in refunds}


RESOURCES = {"order": orders_render, "refund": refunds_render}
