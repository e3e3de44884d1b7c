"""Affiliates and the sales attributed to them."""

from datetime import datetime

from django.db import IntegrityError, transaction

from accounts.models import User
from core.exceptions import InvalidInput, StateConflict
from core.text import clean_text
from marketplace.models import Currency, Order, OrderItem, OrderStatus, Seller
from royalty.models import Affiliate, AffiliateKind, Attribution
from royalty.services.common import require_finance

NAME_MAX_LENGTH = 200
CATEGORY_MAX_LENGTH = 60


def affiliate_create(
    *,
    actor: User,
    name: str,
    kind: str,
    user: User | None = None,
    seller: Seller | None = None,
    currency: str = Currency.USD,
    now: datetime,
) -> Affiliate:
    """A partner, sales team or seller to pay. A seller affiliate names its store (one per store);
    the others name none."""
    require_finance(actor)
    name = clean_text(name, field="name", max_length=NAME_MAX_LENGTH, single_line=True)
    if kind not in AffiliateKind.values:
        raise InvalidInput("The kind is partner, sales_team or seller.", code="invalid", field="kind")
    if currency not in Currency.values:
        raise InvalidInput("Unknown currency.", code="invalid", field="currency")
    if kind == AffiliateKind.SELLER and seller is None:
        raise InvalidInput("A seller affiliate names its store.", code="required", field="seller")
    if kind != AffiliateKind.SELLER and seller is not None:
        raise InvalidInput("Only a seller affiliate names a store.", code="invalid", field="seller")
    if seller is not None and Affiliate.objects.filter(seller=seller).exists():
        raise StateConflict("This store is an affiliate already.", code="duplicate")
    try:
        with transaction.atomic():
            return Affiliate.objects.create(
                name=name, kind=kind, user=user, seller=seller, currency=currency, is_active=True, created_at=now
            )
    except IntegrityError:
        raise StateConflict("This store is an affiliate already.", code="duplicate") from None


def main_product_id(order: Order) -> int | None:
    """The order's main product: its largest line (the first of equal ones)."""
    item = OrderItem.objects.filter(order=order).order_by("-line_total", "id").values("product_id").first()
    return item["product_id"] if item else None


def attribution_create(
    *, actor: User, affiliate: Affiliate, order: Order, category: str = "", now: datetime
) -> Attribution:
    """Attribute a sale: one affiliate per order; the amount and currency are the order's, the sale
    date its ``placed_at``. A seller affiliate is attributed only its own store's orders."""
    require_finance(actor)
    category = clean_text(category, field="category", max_length=CATEGORY_MAX_LENGTH, required=False, single_line=True)
    if not affiliate.is_active:
        raise StateConflict("The affiliate is not active.", code="affiliate_inactive")
    if order.status == OrderStatus.CANCELLED:
        raise InvalidInput("A cancelled order is not a sale.", code="cancelled", field="order")
    if order.currency != affiliate.currency:
        raise InvalidInput(
            f"The order is in {order.currency}; the affiliate is paid in {affiliate.currency}.",
            code="currency",
            field="order",
        )
    if affiliate.kind == AffiliateKind.SELLER and order.seller_id != affiliate.seller_id:
        raise InvalidInput(
            "A seller affiliate is attributed its own store's orders.", code="other_seller", field="order"
        )
    if Attribution.objects.filter(order=order).exists():
        raise StateConflict("This sale is attributed already (one affiliate per sale).", code="attributed")
    try:
        with transaction.atomic():
            return Attribution.objects.create(
                affiliate=affiliate,
                order=order,
                product_id=main_product_id(order),
                category=category,
                amount=order.total,
                currency=order.currency,
                sold_at=order.placed_at,
                created_by=actor,
                created_at=now,
            )
    except IntegrityError:
        raise StateConflict("This sale is attributed already (one affiliate per sale).", code="attributed") from None
