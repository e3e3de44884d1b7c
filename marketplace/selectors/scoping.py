"""Who may see which marketplace records: the one definition every selector starts from.

Import these instead of re-deriving the rules (billing, inquiries, reviews, helpdesk do):

- ``order_visible_queryset(user)`` — orders the user may see: staff (``accounts.selectors.users.is_staff_member``,
  admins included) see all; a buyer sees the orders they placed; a seller member sees its sellers'
  orders (a user may be both). Anything outside it is a 404 for that user.
- ``shipment_visible_queryset(user)`` — shipments of the orders above.
- ``member_seller_ids(user)`` — a subquery of the seller ids the user is a member of.
- ``user_is_seller_member(user, seller_id)`` — one cheap EXISTS query.
- ``seller_get_visible(user=, pk=)`` — a seller whose own figures the user may see (its members and
  staff); None for anyone else, so the caller answers 404.
- ``seller_list_for_member(user)``, ``seller_get_chosen(user=, wanted=)`` — the stores a member
  works on, and the one a seller page is about.
- ``seller_members_by_seller(seller_ids)`` — who is told about a store's affairs.

Membership is expressed as an ``IN (subquery)`` rather than a join so that a user who is a member
of a seller and also the buyer never sees an order twice, and no ``distinct()`` is needed.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.selectors.users import is_staff_member
from core.ids import parse_id
from marketplace.models import Order, Seller, SellerMembership, Shipment


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def member_seller_ids(user: User) -> QuerySet[SellerMembership, Any]:
    """Subquery: ids of the sellers ``user`` is a member of (use with ``seller_id__in=``)."""
    return SellerMembership.objects.filter(user_id=user.pk).values("seller_id")


def user_is_seller_member(user: User, seller_id: int) -> bool:
    if not _is_active_user(user):
        return False
    return SellerMembership.objects.filter(user_id=user.pk, seller_id=seller_id).exists()


def user_is_any_seller_member(user: User) -> bool:
    """A member of at least one store (one cheap EXISTS query, once per user object: the header asks
    for several of its links on every page)."""
    if not _is_active_user(user):
        return False
    cached = getattr(user, "_is_any_seller_member", None)
    if cached is None:
        cached = SellerMembership.objects.filter(user_id=user.pk).exists()
        user._is_any_seller_member = cached  # type: ignore[attr-defined]
    return bool(cached)


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


def seller_get_visible(*, user: User, pk: str | int) -> Seller | None:
    """The seller ``pk`` if ``user`` may see its own figures (response metrics, review metrics,
    standing): its members and staff. None when there is no such seller or it is not the user's:
    both are the same 404."""
    seller_id = parse_id(pk)  # the routes' <id:pk> already is one; a caller's text may not be
    if seller_id is None:
        return None
    seller = Seller.objects.filter(pk=seller_id).first()
    if seller is None or not (is_staff_member(user) or user_is_seller_member(user, seller.pk)):
        return None
    return seller


def seller_list_for_member(user: User) -> list[Seller]:
    """The stores ``user`` is a member of, by name."""
    return list(Seller.objects.filter(pk__in=member_seller_ids(user)).order_by("name", "id"))


def seller_get_chosen(*, user: User, wanted: str | None) -> tuple[Seller, list[Seller]]:
    """The store a member works on: ``wanted`` (a seller id) among theirs, else the first; and all
    of theirs. Not a member, or ``wanted`` not one of theirs: 404."""
    sellers = seller_list_for_member(user)
    if not sellers:
        raise Http404("No seller dashboard for this account")
    if not wanted:
        return sellers[0], sellers
    for seller in sellers:
        if str(seller.pk) == wanted:
            return seller, sellers
    raise Http404("Not one of your stores")


def seller_members_by_seller(seller_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active members of each seller, in one query whatever the number of sellers."""
    members: dict[int, list[User]] = defaultdict(list)
    memberships = SellerMembership.objects.filter(seller_id__in=set(seller_ids), user__is_active=True).select_related(
        "user"
    )
    for membership in memberships:
        members[membership.seller_id].append(membership.user)
    return members
