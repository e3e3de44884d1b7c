from datetime import UTC, datetime

import factory
from django.conf import settings
from factory.django import DjangoModelFactory

from reviews.models import (
    AuthorKind,
    CaseKind,
    ResponseClock,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewCase,
    ReviewResponse,
    TemplateSituation,
)
from tests.accounts.factories import BuyerFactory
from tests.marketplace.factories import ProductFactory, SellerFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class ReviewFactory(DjangoModelFactory[Review]):
    """A bare published review row (no rating counters, no events): flows go through
    ``review_create``."""

    class Meta:
        model = Review
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    seller = factory.SelfAttribute("product.seller")
    buyer = factory.SubFactory(BuyerFactory)
    rating = 5
    title = factory.Sequence(lambda n: f"Review {n}")
    body = "Great product, fast delivery."
    created_at = T0
    updated_at = factory.SelfAttribute("created_at")
    response_due_at = factory.LazyAttribute(lambda review: review.created_at + settings.REVIEWS_RESPONSE_TARGET)

    @factory.post_generation
    def escalate_at(self, create: bool, extracted: datetime | None, **kwargs: object) -> None:
        """``ReviewFactory(escalate_at=...)``: with a running escalation clock (negative reviews)."""
        if create and extracted is not None:
            ResponseClock.objects.create(review=self, due_at=extracted)


class ResponseTemplateFactory(DjangoModelFactory[ResponseTemplate]):
    class Meta:
        model = ResponseTemplate

    seller = factory.SubFactory(SellerFactory)
    situation = TemplateSituation.POSITIVE
    title = factory.Sequence(lambda n: f"Template {n}")
    body = "Thank you {customer_name} for reviewing {product}!"


class ReviewResponseFactory(DjangoModelFactory[ReviewResponse]):
    """A seller's response row; flows go through ``response_post``."""

    class Meta:
        model = ReviewResponse

    review = factory.SubFactory(ReviewFactory)
    author = factory.SubFactory(BuyerFactory)
    author_kind = AuthorKind.SELLER
    seller = factory.SelfAttribute("review.seller")
    body = "Thank you for your review."
    status = ResponseStatus.PUBLISHED
    created_at = T0
    updated_at = T0


class ReviewCaseFactory(DjangoModelFactory[ReviewCase]):
    class Meta:
        model = ReviewCase

    buyer = factory.SubFactory(BuyerFactory)
    kind = CaseKind.MISSING_REVIEW
    description = "My review is not on the product page."
    product = factory.SubFactory(ProductFactory)
    created_at = T0
    updated_at = T0
