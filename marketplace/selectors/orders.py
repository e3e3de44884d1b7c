"""Reads for orders, shipments and tracking; everything starts from the scoping rules."""

from datetime import date, datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from accounts.selectors.users import user_has_permission
from marketplace.models import Order, OrderItem, OrderStatus, Payment, Shipment, TrackingEvent
from marketplace.selectors.scoping import order_visible_queryset, shipment_visible_queryset


def order_list(*, actor: User) -> QuerySet[Order]:
    """Orders the actor may see, with their items (one extra query per page, whatever its size)."""
    return order_visible_queryset(actor).prefetch_related(Prefetch("items", queryset=OrderItem.objects.order_by("id")))


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
