"""Reads for orders, shipments and tracking; everything starts from the scoping rules."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL

from accounts.models import User
from accounts.selectors.users import user_has_permission
from core.sql import execute, table
from marketplace.models import Order, OrderItem, OrderStatus, OrderTally, Payment, Shipment, TrackingEvent
from marketplace.selectors.scoping import order_visible_queryset, shipment_visible_queryset


def order_list(*, actor: User) -> QuerySet[Order]:
    """Orders the actor may see, with their items (one extra query per page, whatever its size)."""
    return order_visible_queryset(actor).prefetch_related(Prefetch("items", queryset=OrderItem.objects.order_by("id")))


# The columns of an order list row and of its items, in the API's field order (``order_rows``).
ORDER_ROW_FIELDS = (
    "id",
    "number",
    "buyer_id",
    "seller_id",
    "status",
    "currency",
    "subtotal",
    "shipping_fee",
    "tax",
    "discount",
    "total",
    "placed_at",
    "created_at",
    "updated_at",
)
ORDER_ITEM_ROW_FIELDS = ("id", "product_id", "product_name", "quantity", "unit_price", "line_total")

# PostgreSQL, UTC: a list row as the API writes it (``OrderOutputSerializer``), built by the database
# as JSON text, its items read by the order_id index. Keys in the serializer's order (``json``, not
# ``jsonb``, keeps them); money as a numeric(14,2)'s text, which has its two places ("19.99",
# "0.00") as DRF writes it; times as Python's isoformat() of the UTC time with "Z" for "+00:00":
# the fraction only when there are microseconds.
_UTC_TIME_SQL = (
    "to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
    "date_trunc('second', {column}) = {column} THEN '' "
    "ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || 'Z'"
)
_ORDER_JSON_SQL = """json_build_object(
    'id', {o}.id, 'number', {o}.number, 'buyer', {o}.buyer_id, 'seller', {o}.seller_id,
    'status', {o}.status, 'currency', {o}.currency,
    'items', (
        SELECT COALESCE(json_agg(json_build_object(
            'id', i.id, 'product', i.product_id, 'product_name', i.product_name, 'quantity', i.quantity,
            'unit_price', i.unit_price::text, 'line_total', i.line_total::text
        ) ORDER BY i.id), '[]')
        FROM {items} i WHERE i.order_id = {o}.id
    ),
    'subtotal', {o}.subtotal::text, 'shipping_fee', {o}.shipping_fee::text, 'tax', {o}.tax::text,
    'discount', {o}.discount::text, 'total', {o}.total::text,
    'placed_at', {placed_at}, 'created_at', {created_at}, 'updated_at', {updated_at}
)::text"""


def order_rows(queryset: QuerySet[Order], *, as_api_json: bool) -> QuerySet[Order, dict[str, Any]]:
    """``queryset`` (as scoped, filtered and ordered) as plain rows for a list page: no model
    instances, no prefetch. ``as_api_json`` (PostgreSQL, for times shown in UTC): each row is one
    column, ``json``, the order with its items as the API writes it, so the page is one statement
    and no Python builds or formats a row. Otherwise rows of ``ORDER_ROW_FIELDS``, whose items
    ``order_rows_items`` reads."""
    rows = queryset.prefetch_related(None)
    if as_api_json:
        orders = table(Order)
        sql = _ORDER_JSON_SQL.format(
            o=orders,
            items=table(OrderItem),
            **{
                name: _UTC_TIME_SQL.format(column=f"{orders}.{name}")
                for name in ("placed_at", "created_at", "updated_at")
            },
        )
        return rows.values(json=RawSQL(sql, (), output_field=TextField()))  # type: ignore[return-value]  # noqa: S611 — identifiers from model metadata, no values
    return rows.values(*ORDER_ROW_FIELDS)


def order_rows_as_api_json_supported() -> bool:
    return connection.vendor == "postgresql"


def order_rows_items(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """The items of a page of ``order_rows`` (not ``as_api_json``), by order id, in id order, as
    dicts of ``ORDER_ITEM_ROW_FIELDS``: one query whatever the number of rows (none for none)."""
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not rows:
        return items
    page_items = OrderItem.objects.filter(order_id__in=[row["id"] for row in rows]).order_by("id")
    for item in page_items.values("order_id", *ORDER_ITEM_ROW_FIELDS):
        items[item.pop("order_id")].append(item)
    return items


def is_every_order(queryset: QuerySet[Order, Any]) -> bool:
    """True when ``queryset`` counts every order there is: no condition (staff, unfiltered), no
    DISTINCT, no slice, no combination. The ordering does not change a count."""
    query = queryset.query
    return bool(
        queryset.model is Order
        and not query.where
        and not query.distinct
        and not query.is_sliced
        and not query.combinator
        and not query.is_empty()
    )


def order_count(queryset: QuerySet[Order, Any]) -> int:
    """How many rows ``queryset`` has, exactly. Every order (the unfiltered staff list) is read from
    the tally the database keeps (``OrderTally``, PostgreSQL), a few rows instead of ``COUNT(*)``
    over the whole table; anything narrower, or SQLite, is ``COUNT(*)``."""
    if connection.vendor == "postgresql" and is_every_order(queryset):
        # Written out: the ORM's aggregate() costs more Python than the statement costs PostgreSQL.
        rows = execute(f"SELECT COALESCE(SUM(orders), 0) FROM {table(OrderTally)}", ())  # noqa: S608
        return int(rows[0][0])
    return queryset.count()


def shipment_list(*, actor: User) -> QuerySet[Shipment]:
    """Shipments of the orders the actor may see, with their tracking events."""
    return shipment_visible_queryset(actor).prefetch_related(
        Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "id"))
    )


def order_latest_shipment(*, order: Order) -> Shipment | None:
    """The order's most recent shipment (with its events), or None before anything shipped."""
    return (
        Shipment.objects.filter(order=order)
        .prefetch_related(Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "id")))
        .order_by("-created_at", "-id")
        .first()
    )


def user_may_create_shipments(*, actor: User) -> bool:
    if user_has_permission(actor, "marketplace.add_shipment"):
        return True
    return bool(actor.is_authenticated and actor.is_active and actor.seller_memberships.exists())


def _day(value: date | datetime) -> str:
    return f"{value.day} {value:%b %Y}"


def order_status_answer_text(*, order: Order, now: datetime) -> str:
    """The answer to "where is my order?", built from the order and its latest shipment's events
    (what support sends in one click, and what the order page says)."""
    shipment = order_latest_shipment(order=order)
    lines = [f"Your order {order.number} (placed {_day(order.placed_at)}) is {order.get_status_display().lower()}."]
    if order.status == OrderStatus.CANCELLED:
        lines.append("It was cancelled, so nothing will be delivered; any payment taken is refunded.")
        return " ".join(lines)
    if shipment is None:
        lines.append("It has not shipped yet; you will get the carrier and tracking number as soon as it does.")
        return " ".join(lines)
    lines.append(f"It travels with {shipment.carrier}, tracking number {shipment.tracking_number}.")
    events = list(shipment.events.all())
    if shipment.delivered_at is not None:
        lines.append(f"It was delivered on {_day(shipment.delivered_at)}.")
    elif shipment.expected_delivery is not None:
        if shipment.expected_delivery < now.date():
            lines.append(
                f"It was expected on {_day(shipment.expected_delivery)} and is late; we are following it up "
                "with the carrier."
            )
        else:
            lines.append(f"It is expected on {_day(shipment.expected_delivery)}.")
    if events:
        last = events[-1]
        where = f" in {last.location}" if last.location else ""
        detail = f": {last.description}" if last.description else ""
        lines.append(
            f"Latest carrier update, {_day(last.occurred_at)} {last.occurred_at:%H:%M} UTC: "
            f"{last.status.replace('_', ' ')}{where}{detail}."
        )
    elif shipment.delivered_at is None:
        lines.append("The carrier has not reported any scan yet.")
    return " ".join(lines)


def order_is_purchase_q(prefix: str = "") -> Q:
    """Orders that prove a purchase (a review's "verified purchase" badge): never cancelled, never
    refunded in full, and delivered or paid — some captured money not refunded. A delivered order
    with no payment recorded counts (paid on delivery, or paid outside the platform); a pending or
    processing order counts only once paid. ``prefix`` reaches the order through a relation
    (``"order__"`` from an order item)."""
    order = OuterRef(f"{prefix}id")
    money_kept = Exists(Payment.objects.filter(order_id=order, captured_amount__gt=F("refunded_amount")))
    ever_paid = Exists(Payment.objects.filter(order_id=order, captured_amount__gt=0))
    cancelled = Q(**{f"{prefix}status": OrderStatus.CANCELLED})
    delivered = Q(**{f"{prefix}status": OrderStatus.DELIVERED})
    return ~cancelled & (Q(money_kept) | (delivered & ~Q(ever_paid)))


def order_is_purchase(*, order_id: int) -> bool:
    return Order.objects.filter(order_is_purchase_q(), pk=order_id).exists()
