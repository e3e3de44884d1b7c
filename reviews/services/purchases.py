"""The verified purchase badge kept true to the order (``review_create`` decides it when the review
is written; an order can still change after that).

An order is cancelled, refunded in full, paid or delivered after its review was written: the
badge follows (``marketplace.selectors.orders.order_is_purchase_q``: delivered or paid, never
cancelled nor refunded in full; and the order must still contain the reviewed product, which a
review case's reassignment can change). State-based, two set-based UPDATEs whatever the number
of reviews, so a run after an outage catches up and two runs at once change each review once.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from marketplace.models import Order, OrderItem
from marketplace.selectors.orders import order_is_purchase_q
from reviews.models import Review


def review_has_badge_q() -> Q:
    """The review's order proves the purchase of the reviewed product."""
    proves = Exists(Order.objects.filter(order_is_purchase_q(), pk=OuterRef("order_id")))
    contains = Exists(OrderItem.objects.filter(order_id=OuterRef("order_id"), product_id=OuterRef("product_id")))
    return Q(order__isnull=False) & Q(proves) & Q(contains)


def reviews_verified_purchase_sync(*, now: datetime) -> dict[str, int]:
    """Withdraw the badge from reviews whose order no longer proves the purchase, and give it to
    those whose order now does. Returns how many of each."""
    with transaction.atomic():
        withdrawn = (
            Review.objects.filter(verified_purchase=True)
            .exclude(review_has_badge_q())
            .update(verified_purchase=False, updated_at=now)
        )
        granted = Review.objects.filter(review_has_badge_q(), verified_purchase=False).update(
            verified_purchase=True, updated_at=now
        )
    return {"withdrawn": withdrawn, "granted": granted}
