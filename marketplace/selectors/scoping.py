"""Who may see which marketplace records: the one definition every selector starts from.

Import these instead of re-deriving the rules (billing, inquiries, reviews, helpdesk do):

- ``order_visible_queryset(user)`` — orders the user may see: staff (``accounts.roles.is_staff_member``,
  admins included) see all; a buyer sees the orders they placed; a seller member sees its sellers'
  orders (a user may be both). Anything outside it is a 404 for that user.
- ``shipment_visible_queryset(user)`` — shipments of the orders above.
- ``member_seller_ids(user)`` — a subquery of the seller ids the user is a member of.
- ``user_is_seller_member(user, seller_id)`` — one cheap EXISTS query.

Membership is expressed as an ``IN (subquery)`` rather than a join so that a user who is a member
of a seller and also the buyer never sees an order twice, and no ``distinct()`` is needed.
"""

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.roles import is_staff_member
from marketplace.models import Order, SellerMembership, Shipment


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def member_seller_ids(user: User) -> QuerySet[SellerMembership, Any]:
    """Subquery: ids of the sellers ``user`` is a member of (use with ``seller_id__in=``)."""
    return SellerMembership.objects.filter(user_id=user.pk).values("seller_id")


def user_is_seller_member(user: User, seller_id: int) -> bool:
    if not _is_active_user(user):
        return False
    return SellerMembership.objects.filter(user_id=user.pk, seller_id=seller_id).exists()


def order_visibility_q(user: User, *, prefix: str = "") -> Q:
    """The visibility rule as a ``Q`` on a model that reaches the order through ``prefix``
    (``""`` for Order itself, ``"order__"`` for Shipment, Invoice, Payment...). Staff: everything."""
    if not _is_active_user(user):
        return Q(pk__in=[])
    if is_staff_member(user):
        return Q()
    return Q(**{f"{prefix}buyer_id": user.pk}) | Q(**{f"{prefix}seller_id__in": member_seller_ids(user)})


def order_visible_queryset(user: User) -> QuerySet[Order]:
    """Orders ``user`` may see (no select_related: callers add what they serialize)."""
    if not _is_active_user(user):
        return Order.objects.none()
    return Order.objects.filter(order_visibility_q(user))


def shipment_visible_queryset(user: User) -> QuerySet[Shipment]:
    if not _is_active_user(user):
        return Shipment.objects.none()
    return Shipment.objects.filter(order_visibility_q(user, prefix="order__"))
