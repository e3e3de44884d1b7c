"""Reads for orders, shipments and tracking; everything starts from the scoping rules."""

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
