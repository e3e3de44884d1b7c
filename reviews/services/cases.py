"""Review cases: a customer reports a missing review, a review on the wrong product, or incorrect
content; staff who work cases reassign the review, restore it, remove it, and resolve the case
(with goodwill compensation recorded against the order, in the order's currency).

Every action writes a ``ReviewCaseEvent`` (who, when, what in ``data``, why in ``note``) and tells
the customer. Actions on a resolved case are 409s.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import User
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.text import clean_text
from marketplace.models import Order, OrderItem, Product
from marketplace.selectors.orders import order_is_purchase
from notifications.services.notify import notify
from reviews.models import (
    CaseKind,
    CaseStatus,
    Review,
    ReviewCase,
    ReviewCaseEvent,
    ReviewEvent,
    ReviewStatus,
)
from reviews.notices import Kind
from reviews.services.access import user_may_work_cases
from reviews.services.ratings import RatingChange, ratings_apply
from reviews.services.reviews import review_set_status
from reviews.services.surveys import review_case_survey_request
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record

_CENT = Decimal("0.01")


def review_case_open(
    *,
    buyer: User,
    kind: Any,
    description: Any,
    review: Review | None = None,
    product: Product | None = None,
    order: Order | None = None,
    now: datetime,
) -> ReviewCase:
    """A customer's report. ``wrong_product`` and ``incorrect_content`` are about one of their
    reviews (required); ``missing_review`` names the product or the order it should be on."""
    if kind not in CaseKind.values:
        raise InvalidInput("Unknown kind.", code="invalid_choice", field="kind")
    description = clean_text(description, field="description", max_length=5000)
    if review is not None and review.buyer_id != buyer.pk:
        raise InvalidInput("This is not one of your reviews.", code="not_yours", field="review")
    if order is not None and order.buyer_id != buyer.pk:
        raise InvalidInput("This is not one of your orders.", code="not_yours", field="order")
    if kind in (CaseKind.WRONG_PRODUCT, CaseKind.INCORRECT_CONTENT) and review is None:
        raise InvalidInput("Say which of your reviews this is about.", code="required", field="review")
    if kind == CaseKind.MISSING_REVIEW and product is None and order is None and review is None:
        raise InvalidInput("Say which product the missing review is for.", code="required", field="product")
    if order is None and review is not None and review.order_id:
        order = review.order
    with transaction.atomic():
        case = ReviewCase.objects.create(
            buyer=buyer,
            kind=kind,
            description=description,
            review=review,
            product=product,
            order=order,
            created_at=now,
            updated_at=now,
        )
        _event(case, ReviewCaseEvent.Kind.OPENED, actor=buyer, now=now)
        _tell_customer(case, f"We received your report (case {case.pk})", "Our reviews team will look into it.")
    return case


def _event(case: ReviewCase, kind: str, *, actor: User, now: datetime, note: str = "", **data: Any) -> None:
    ReviewCaseEvent.objects.create(case=case, kind=kind, actor=actor, note=note, data=data, created_at=now)


def _tell_customer(case: ReviewCase, title: str, body: str) -> None:
    notify(
        recipients=[case.buyer],
        kind=Kind.REVIEW_CASE_UPDATE,
        title=title,
        body=body,
        link=f"/reviews/cases/{case.pk}/",
    )


def _lock_open_case(case: ReviewCase, actor: User) -> ReviewCase:
    if not user_may_work_cases(actor):
        raise Forbidden("Only support staff and moderators work review cases.")
    locked = ReviewCase.objects.select_for_update().select_related("buyer").get(pk=case.pk)
    if locked.status != CaseStatus.OPEN:
        raise StateConflict("This case is resolved.", code="case_resolved")
    return locked


def _case_review(case: ReviewCase) -> Review:
    if case.review_id is None:
        raise StateConflict("This case is not about a review.", code="no_review")
    return Review.objects.get(pk=case.review_id)


def review_case_reassign(
    *, case: ReviewCase, actor: User, product: Product, note: Any = "", now: datetime
) -> ReviewCase:
    """Move the case's review to ``product`` (and its seller): the ratings of both products and
    both sellers follow, the response clock and responses stay with the review, history is kept
    in both event tables. 409 if the buyer already reviewed ``product``."""
    note = clean_text(note, field="note", max_length=2000, required=False)
    with transaction.atomic():
        locked = _lock_open_case(case, actor)
        review = Review.objects.select_for_update().get(pk=_case_review(locked).pk)
        if product.pk == review.product_id:
            raise InvalidInput("The review is already on this product.", code="same_product", field="product")
        if Review.objects.filter(buyer_id=review.buyer_id, product_id=product.pk).exists():
            raise StateConflict("The customer already has a review of this product.", code="already_reviewed")
        # The badge follows the order to the right product only if the order has it and proves the
        # purchase (delivered or paid, never cancelled nor refunded in full).
        verified = bool(
            review.order_id
            and OrderItem.objects.filter(order_id=review.order_id, product_id=product.pk).exists()
            and order_is_purchase(order_id=review.order_id)
        )
        old_product, old_seller = review.product_id, review.seller_id
        try:
            with transaction.atomic():
                Review.objects.filter(pk=review.pk).update(
                    product=product, seller_id=product.seller_id, verified_purchase=verified, updated_at=now
                )
        except IntegrityError as error:
            raise StateConflict(
                "The customer already has a review of this product.", code="already_reviewed"
            ) from error
        if review.status == ReviewStatus.PUBLISHED:
            ratings_apply(
                changes=[
                    RatingChange(old_product, old_seller, review.rating, -1),
                    RatingChange(product.pk, product.seller_id, review.rating, +1),
                ],
                now=now,
            )
        moved = {
            "from_product": old_product,
            "to_product": product.pk,
            "from_seller": old_seller,
            "to_seller": product.seller_id,
        }
        ReviewEvent.objects.create(
            review=review, kind=ReviewEvent.Kind.REASSIGNED, actor=actor, note=note, data=moved, created_at=now
        )
        _event(locked, ReviewCaseEvent.Kind.REASSIGNED, actor=actor, now=now, note=note, **moved)
        ReviewCase.objects.filter(pk=locked.pk).update(product=product, updated_at=now)
        _tell_customer(locked, f"Your review now appears on {product.name}", f"Case {locked.pk}: we moved your review.")
    case.refresh_from_db()
    return case


def review_case_restore(*, case: ReviewCase, actor: User, note: Any = "", now: datetime) -> ReviewCase:
    """Publish the case's hidden or removed review again (409 if it is published)."""
    note = clean_text(note, field="note", max_length=2000, required=False)
    with transaction.atomic():
        locked = _lock_open_case(case, actor)
        review = _case_review(locked)
        if review.status == ReviewStatus.PUBLISHED:
            raise StateConflict("The review is already published.", code="already_published")
        review_set_status(review=review, to_status=ReviewStatus.PUBLISHED, actor=actor, note=note, now=now)
        _event(locked, ReviewCaseEvent.Kind.RESTORED, actor=actor, now=now, note=note, review=review.pk)
        ReviewCase.objects.filter(pk=locked.pk).update(updated_at=now)
        _tell_customer(locked, "Your review is visible again", f"Case {locked.pk}: we restored your review.")
    case.refresh_from_db()
    return case


def review_case_remove_review(
    *, case: ReviewCase, actor: User, reason: Any, note: Any = "", now: datetime
) -> ReviewCase:
    """Remove the case's review (fraudulent or incorrect content) with a reason code."""
    note = clean_text(note, field="note", max_length=2000, required=False)
    with transaction.atomic():
        locked = _lock_open_case(case, actor)
        review = _case_review(locked)
        if review.status == ReviewStatus.REMOVED:
            raise StateConflict("The review is already removed.", code="already_removed")
        review_set_status(review=review, to_status=ReviewStatus.REMOVED, actor=actor, reason=reason, note=note, now=now)
        _event(
            locked,
            ReviewCaseEvent.Kind.REVIEW_REMOVED,
            actor=actor,
            now=now,
            note=note,
            review=review.pk,
            reason=reason,
        )
        ReviewCase.objects.filter(pk=locked.pk).update(updated_at=now)
        _tell_customer(locked, "Your review was removed", f"Case {locked.pk}: {note or reason}")
    case.refresh_from_db()
    return case


def _clean_amount(amount: Any, order: Order | None) -> Decimal | None:
    if amount is None:
        return None
    if order is None:
        raise InvalidInput("Compensation needs an order on the case.", code="no_order", field="compensation_amount")
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise InvalidInput("Give an amount like 5.00.", code="invalid", field="compensation_amount") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(_CENT, rounding=ROUND_HALF_UP):
        raise InvalidInput(
            "Give a positive amount with at most two decimals.", code="invalid", field="compensation_amount"
        )
    if value > order.total:
        raise InvalidInput("Compensation cannot exceed the order total.", code="too_large", field="compensation_amount")
    return value


def review_case_resolve(
    *,
    case: ReviewCase,
    actor: User,
    resolution: Any,
    compensation_amount: Any = None,
    coupon_code: Any = "",
    now: datetime,
) -> ReviewCase:
    """Close the case with what was done and, optionally, goodwill: an amount recorded against the
    case's order in the order's currency, and/or a coupon code. 409 if already resolved."""
    resolution = clean_text(resolution, field="resolution", max_length=2000)
    coupon_code = clean_text(coupon_code, field="coupon_code", max_length=64, required=False, single_line=True)
    with transaction.atomic():
        locked = _lock_open_case(case, actor)
        order = Order.objects.filter(pk=locked.order_id).first() if locked.order_id else None
        amount = _clean_amount(compensation_amount, order)
        currency = order.currency if amount is not None and order is not None else ""
        ReviewCase.objects.filter(pk=locked.pk).update(
            status=CaseStatus.RESOLVED,
            resolution=resolution,
            compensation_amount=amount,
            compensation_currency=currency,
            coupon_code=coupon_code,
            resolved_by=actor,
            resolved_at=now,
            updated_at=now,
        )
        _event(
            locked,
            ReviewCaseEvent.Kind.RESOLVED,
            actor=actor,
            now=now,
            note=resolution,
            compensation_amount=str(amount) if amount is not None else None,
            currency=currency,
            coupon_code=coupon_code,
        )
        goodwill = f" As a gesture of goodwill: {amount} {currency}." if amount is not None else ""
        coupon = f" Your coupon code: {coupon_code}." if coupon_code else ""
        _tell_customer(locked, f"Your review case {locked.pk} is resolved", f"{resolution}{goodwill}{coupon}")
        review_case_survey_request(case=locked, agent_id=actor.pk, now=now)
        webhook_event_record(event_type=EventType.REVIEW_CASE_RESOLVED, resource_id=locked.pk, now=now)
    case.refresh_from_db()
    return case
