"""The reviews' side of "survey this interaction" (``feedback.services.invitations``):

- a **review case** resolved by staff (``about_type="review_case"``): how the platform handled the
  customer's report is a customer-service matter; the agent is who resolved it;
- a **recovery follow-up** the customer confirmed resolved (``about_type="recovery"``): the issue
  behind a negative review was a product matter; the agent is support if support answered it.

Neither reopens (a resolved case or follow-up is final), so there is nothing to withdraw. Both run
inside the resolving service's transaction: the invitation is a row the feedback sweep sends
later, so it commits or rolls back with the resolution.
"""

from datetime import datetime

from django.urls import reverse

from feedback.models import Category, Channel, InteractionType
from feedback.services.invitations import survey_request
from marketplace.models import Order, Product
from reviews.models import (
    CASE_KIND_SHORT,
    AuthorKind,
    RecoveryFollowUp,
    ResponseStatus,
    Review,
    ReviewCase,
    ReviewResponse,
)


def _case_seller_id(case: ReviewCase) -> int | None:
    """The store the case is about: its review's, else its product's, else its order's."""
    if case.review_id is not None:
        return Review.objects.values_list("seller_id", flat=True).get(pk=case.review_id)
    if case.product_id is not None:
        return Product.objects.values_list("seller_id", flat=True).get(pk=case.product_id)
    if case.order_id is not None:
        return Order.objects.values_list("seller_id", flat=True).get(pk=case.order_id)
    return None


def review_case_survey_request(*, case: ReviewCase, agent_id: int, now: datetime) -> None:
    survey_request(
        about_type=InteractionType.REVIEW_CASE,
        about_id=case.pk,
        about_label=f"Review case {case.pk}: {CASE_KIND_SHORT.get(case.kind, case.kind)}",
        about_url=reverse("review-case", args=[case.pk]),
        customer=case.buyer,
        channel=Channel.REVIEWS,
        seller_id=_case_seller_id(case),
        agent_id=agent_id,
        order_id=case.order_id,
        category=Category.CUSTOMER_SERVICE,
        topic=case.kind,
        opened_at=case.created_at,
        resolved_at=now,
        now=now,
    )


def recovery_survey_request(*, follow_up: RecoveryFollowUp, review: Review, now: datetime) -> None:
    staff_author_id = (
        ReviewResponse.objects.filter(
            review_id=review.pk, author_kind=AuthorKind.STAFF, status=ResponseStatus.PUBLISHED
        )
        .order_by("-created_at", "-id")
        .values_list("author_id", flat=True)
        .first()
    )
    survey_request(
        about_type=InteractionType.RECOVERY,
        about_id=follow_up.pk,
        about_label=f"Your review “{review.title}”: putting it right",
        about_url=reverse("review-detail", args=[review.pk]),
        customer=review.buyer,
        channel=Channel.REVIEWS,
        seller_id=review.seller_id,
        agent_id=staff_author_id,
        order_id=follow_up.order_id,
        category=Category.PRODUCT,
        topic="recovery",
        opened_at=follow_up.created_at,
        resolved_at=now,
        now=now,
    )
