"""Reads for orders, shipments and tracking; everything starts from the scoping rules."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.selectors.users import user_has_permission
from marketplace.models import Order, OrderItem, Shipment, TrackingEvent
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
