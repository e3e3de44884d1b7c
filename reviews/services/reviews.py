"""Writing and moderating reviews, and the customer's answer to the recovery follow-up.

The review row is locked (``select_for_update``) for every status change, the move is checked
against ``REVIEW_TRANSITIONS`` (409 otherwise), and the rating counters move in the same
transaction. A negative review (``REVIEWS_NEGATIVE_MAX_RATING``) alerts the seller's members and
support at once and opens a recovery follow-up tied to the order.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper

from accounts.models import User
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.text import NOTICE_PREVIEW_LENGTH, clean_text, preview
from marketplace.models import Order, OrderItem, Product
from marketplace.selectors.orders import order_is_purchase, order_is_purchase_q
from marketplace.selectors.scoping import user_is_seller_member
from notifications.services.notify import notify
from reviews.models import (
    REVIEW_TRANSITIONS,
    FollowUpStatus,
    ModerationReason,
    RecoveryFollowUp,
    ResponseClock,
    ResponseStatus,
    Review,
    ReviewEvent,
    ReviewResponse,
    ReviewStatus,
)
from reviews.notices import Kind
from reviews.services.access import user_may_moderate_reviews
from reviews.services.common import alert_staff, clean_body, seller_members, senior_support
from reviews.services.ratings import RatingChange, ratings_apply
from reviews.services.surveys import recovery_survey_request
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record


def _clean_rating(rating: Any) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("Give a rating from 1 to 5.", code="invalid", field="rating")
    return rating


def _order_with_product(*, buyer: User, product: Product) -> tuple[Order | None, bool]:
    """The buyer's order containing the product to attach, and whether it proves the purchase
    (``order_is_purchase_q``): the latest one that does, else the latest one (a cancelled or
    refunded order is still the buyer's context, but earns no badge). One query."""
    item = (
        OrderItem.objects.filter(order__buyer_id=buyer.pk, product_id=product.pk)
        .annotate(proves_purchase=ExpressionWrapper(order_is_purchase_q("order__"), output_field=BooleanField()))
        .select_related("order")
        .order_by("-proves_purchase", "-order__placed_at", "-order_id")
        .first()
    )
    return (item.order, bool(item.proves_purchase)) if item is not None else (None, False)


def review_create(
    *,
    buyer: User,
    product: Product,
    rating: Any,
    title: Any,
    body: Any,
    order: Order | None = None,
    now: datetime,
) -> Review:
    """A buyer reviews a product, once. ``order`` must be the buyer's and contain the product;
    without one, the buyer's latest order containing it is attached when there is one (preferring
    one that proves the purchase). The review is a ``verified_purchase`` exactly when the attached
    order proves the purchase (``marketplace.selectors.orders.order_is_purchase_q``: delivered or
    paid, never cancelled nor refunded in full); a cancelled order earns no badge."""
    rating = _clean_rating(rating)
    title = clean_text(title, field="title", max_length=200, single_line=True)
    body = clean_body(body)
    if user_is_seller_member(buyer, product.seller_id):
        raise InvalidInput("You cannot review your own store's product.", code="own_store", field="product")
    if order is not None:
        if order.buyer_id != buyer.pk:
            raise InvalidInput("This is not one of your orders.", code="not_yours", field="order")
        if not OrderItem.objects.filter(order_id=order.pk, product_id=product.pk).exists():
            raise InvalidInput("This order does not contain this product.", code="mismatch", field="order")
        verified = order_is_purchase(order_id=order.pk)
    else:
        order, verified = _order_with_product(buyer=buyer, product=product)
    negative = rating <= settings.REVIEWS_NEGATIVE_MAX_RATING
    target = settings.REVIEWS_NEGATIVE_RESPONSE_TARGET if negative else settings.REVIEWS_RESPONSE_TARGET
    with transaction.atomic():
        if Review.objects.filter(buyer_id=buyer.pk, product_id=product.pk).exists():
            raise StateConflict("You have already reviewed this product.", code="already_reviewed")
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    product=product,
                    seller_id=product.seller_id,
                    buyer=buyer,
                    order=order,
                    verified_purchase=verified,
                    rating=rating,
                    title=title,
                    body=body,
                    response_due_at=now + target,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError as error:  # the same buyer, twice at the same moment
            raise StateConflict("You have already reviewed this product.", code="already_reviewed") from error
        ratings_apply(
            changes=[RatingChange(product.pk, product.seller_id, rating, +1)],
            now=now,
        )
        ReviewEvent.objects.create(
            review=review, kind=ReviewEvent.Kind.CREATED, actor=buyer, data={"rating": rating}, created_at=now
        )
        webhook_event_record(event_type=EventType.REVIEW_POSTED, resource_id=review.pk, now=now)
        if negative:
            ResponseClock.objects.create(review=review, due_at=now + settings.REVIEWS_ESCALATE_AFTER)
            _low_rating_alert(review=review, now=now)
    return review


def _low_rating_alert(*, review: Review, now: datetime) -> None:
    RecoveryFollowUp.objects.create(
        review=review,
        order_id=review.order_id,
        due_at=now + settings.REVIEWS_FOLLOW_UP_PERIOD,
        created_at=now,
    )
    members = seller_members(review.seller_id)
    staff = alert_staff()
    ReviewEvent.objects.create(
        review=review,
        kind=ReviewEvent.Kind.LOW_RATING_ALERTED,
        note=f"{len(members)} seller member(s), {len(staff)} support staff",
        created_at=now,
    )
    notify(
        recipients=[*members, *staff],
        kind=Kind.LOW_RATING_REVIEW,
        title=f"{review.rating}-star review of {review.product.name}: {review.title}",
        body=f"{preview(review.body, NOTICE_PREVIEW_LENGTH)}"
        f"\n\nPlease respond by {review.response_due_at:%Y-%m-%d %H:%M} UTC: acknowledge, "
        "apologise and offer a solution.",
        link=f"/seller/reviews/{review.pk}/",
    )


_MODERATION_KINDS = {
    ReviewStatus.HIDDEN: ReviewEvent.Kind.HIDDEN,
    ReviewStatus.REMOVED: ReviewEvent.Kind.REMOVED,
    ReviewStatus.PUBLISHED: ReviewEvent.Kind.RESTORED,
}


def review_set_status(
    *, review: Review, to_status: str, actor: User, reason: str = "", note: str = "", now: datetime
) -> Review:
    """Move a review to ``to_status`` (no permission check: the public services and the case
    services check who may). Reason codes are required for hide/remove; restore clears them."""
    if to_status != ReviewStatus.PUBLISHED and reason not in ModerationReason.values:
        raise InvalidInput("Give a reason code.", code="invalid_choice", field="reason")
    note = clean_text(note, field="note", max_length=2000, required=False)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if to_status not in REVIEW_TRANSITIONS[locked.status]:
            raise StateConflict(f"A {locked.status} review cannot become {to_status}.", code="invalid_transition")
        was_published = locked.status == ReviewStatus.PUBLISHED
        Review.objects.filter(pk=locked.pk).update(
            status=to_status,
            moderation_reason="" if to_status == ReviewStatus.PUBLISHED else reason,
            moderation_note="" if to_status == ReviewStatus.PUBLISHED else note,
            moderated_by=actor,
            moderated_at=now,
            updated_at=now,
        )
        delta = (1 if to_status == ReviewStatus.PUBLISHED else 0) - (1 if was_published else 0)
        if delta:
            ratings_apply(changes=[RatingChange(locked.product_id, locked.seller_id, locked.rating, delta)], now=now)
        ReviewEvent.objects.create(
            review=locked,
            kind=_MODERATION_KINDS[ReviewStatus(to_status)],
            actor=actor,
            note=note,
            data={"from": locked.status, "to": to_status, "reason": reason},
            created_at=now,
        )
        verb = {"hidden": "hidden", "removed": "removed", "published": "restored"}[to_status]
        reason_label = dict(ModerationReason.choices).get(reason, "")
        notify(
            recipients=[locked.buyer],
            kind=Kind.REVIEW_MODERATED,
            title=f"Your review \u201c{locked.title}\u201d was {verb}",
            body=f"Reason: {reason_label}." if reason_label else "It is visible on the product page again.",
            link=f"/reviews/{locked.pk}/",
        )
    review.refresh_from_db()
    return review


def _require_moderator(actor: User) -> None:
    if not user_may_moderate_reviews(actor):
        raise Forbidden("Only moderators can moderate reviews.")


def review_hide(*, review: Review, actor: User, reason: str, note: str = "", now: datetime) -> Review:
    _require_moderator(actor)
    return review_set_status(
        review=review, to_status=ReviewStatus.HIDDEN, actor=actor, reason=reason, note=note, now=now
    )


def review_remove(*, review: Review, actor: User, reason: str, note: str = "", now: datetime) -> Review:
    _require_moderator(actor)
    return review_set_status(
        review=review, to_status=ReviewStatus.REMOVED, actor=actor, reason=reason, note=note, now=now
    )


def review_restore(*, review: Review, actor: User, note: str = "", now: datetime) -> Review:
    _require_moderator(actor)
    return review_set_status(review=review, to_status=ReviewStatus.PUBLISHED, actor=actor, note=note, now=now)


def follow_up_answer(
    *, review: Review, actor: User, resolved: Any, comment: Any = "", now: datetime
) -> RecoveryFollowUp:
    """The customer says whether the seller's response put things right. Only after a response
    (409 before); "not resolved" escalates the follow-up to senior support at once (once)."""
    if actor.pk != review.buyer_id:
        raise Forbidden("Only the review's author can answer its follow-up.")
    if not isinstance(resolved, bool):
        raise InvalidInput("Say true or false.", code="invalid", field="resolved")
    comment = clean_text(comment, field="comment", max_length=2000, required=False)
    with transaction.atomic():
        follow_up = RecoveryFollowUp.objects.select_for_update().filter(review_id=review.pk).first()
        if follow_up is None:
            raise StateConflict("This review has no recovery follow-up.", code="no_follow_up")
        # Only a response the customer can read counts: one held for moderation is not shown to them.
        has_response = ReviewResponse.objects.filter(review_id=review.pk, status=ResponseStatus.PUBLISHED).exists()
        if not has_response:
            raise StateConflict("Wait for a response before answering.", code="not_responded")
        if follow_up.status == FollowUpStatus.RESOLVED:
            raise StateConflict("This follow-up is already resolved.", code="already_resolved")
        if not resolved and follow_up.status == FollowUpStatus.ESCALATED:
            raise StateConflict("Senior support already has this issue.", code="already_escalated")
        fields: dict[str, Any] = {"customer_comment": comment, "answered_at": now}
        if resolved:
            fields["status"] = FollowUpStatus.RESOLVED
        else:
            fields |= {"status": FollowUpStatus.ESCALATED, "escalated_at": now}
        RecoveryFollowUp.objects.filter(pk=follow_up.pk).update(**fields)
        ReviewEvent.objects.create(
            review=review,
            kind=ReviewEvent.Kind.FOLLOW_UP_RESOLVED if resolved else ReviewEvent.Kind.FOLLOW_UP_UNRESOLVED,
            actor=actor,
            note=comment,
            created_at=now,
        )
        if resolved:
            # The customer confirmed it was put right: that is the resolution to survey.
            recovery_survey_request(follow_up=follow_up, review=review, now=now)
        if not resolved:
            ReviewEvent.objects.create(
                review=review,
                kind=ReviewEvent.Kind.FOLLOW_UP_ESCALATED,
                note="customer says the issue is not resolved",
                created_at=now,
            )
            notify(
                recipients=[*senior_support(), *seller_members(review.seller_id)],
                kind=Kind.REVIEW_ESCALATED,
                title=f"Unresolved after a response: {review.title}",
                body=f"The customer says the issue is not resolved. {comment}".strip(),
                link=f"/admin/reviews/review/{review.pk}/change/",
            )
    follow_up.refresh_from_db()
    return follow_up
