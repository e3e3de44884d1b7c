"""The reads behind the reviews pages (``reviews/views.py``): the seller's queue and review page,
the buyer's reviews and cases. Each is scoped to the acting user (anything else is None here and a
404 on the page) and N+1-free: a list costs the same number of queries for 2 rows as for 20.
"""

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When

from accounts.models import User
from marketplace.models import Order, OrderItem
from marketplace.selectors.scoping import member_seller_ids
from reviews.models import (
    LIVE_RESPONSE_STATUSES,
    AuthorKind,
    RecoveryFollowUp,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewCase,
    ReviewCaseEvent,
    ReviewResponse,
)


def seller_responses_needing_attention(*, seller_id: int) -> QuerySet[ReviewResponse]:
    """The store's responses a moderator holds (flagged, pending) or sent back (edit requested,
    hidden) and that no newer live response has replaced yet, with the moderator's reason."""
    replaced = ReviewResponse.objects.filter(
        review_id=OuterRef("review_id"), author_kind=AuthorKind.SELLER, status__in=LIVE_RESPONSE_STATUSES
    )
    return (
        ReviewResponse.objects.filter(seller_id=seller_id, author_kind=AuthorKind.SELLER)
        .filter(
            Q(status=ResponseStatus.PENDING_MODERATION)
            | Q(status__in=(ResponseStatus.EDIT_REQUESTED, ResponseStatus.HIDDEN)) & ~Exists(replaced)
        )
        .select_related("review__product")
        .order_by("-updated_at", "-id")
    )


def review_get_for_seller_member(*, user: User, pk: int) -> Review | None:
    """A review of one of the user's stores, in any status, with all its responses."""
    return (
        Review.objects.filter(pk=pk, seller_id__in=member_seller_ids(user))
        .select_related("product", "seller", "buyer", "order", "clock")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=ReviewResponse.objects.select_related("author").order_by("created_at", "id"),
                to_attr="all_responses",
            )
        )
        .first()
    )


def response_templates_for_seller(*, seller_id: int) -> QuerySet[ResponseTemplate]:
    """The templates a store may answer with: its own first, then the platform's; archived ones never."""
    return ResponseTemplate.objects.filter(
        Q(seller_id=seller_id) | Q(seller__isnull=True), archived_at__isnull=True
    ).order_by(
        Case(When(seller__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()),
        "situation",
        "title",
        "id",
    )


def own_response_template(*, user: User, pk: int) -> ResponseTemplate | None:
    """One of the user's stores' own templates (not archived); the platform's are not theirs to edit."""
    return (
        ResponseTemplate.objects.filter(pk=pk, seller_id__in=member_seller_ids(user), archived_at__isnull=True)
        .select_related("seller")
        .first()
    )


def _published_responses() -> Prefetch:
    return Prefetch(
        "responses",
        queryset=ReviewResponse.objects.filter(status=ResponseStatus.PUBLISHED).order_by("created_at", "id"),
        to_attr="published_responses",
    )


def buyer_reviews(*, buyer: User) -> QuerySet[Review]:
    """The buyer's own reviews, any status, newest first, with the published responses only."""
    return (
        Review.objects.filter(buyer_id=buyer.pk)
        .select_related("product", "seller", "order", "follow_up")
        .prefetch_related(_published_responses())
        .order_by("-created_at", "-id")
    )


def buyer_reviews_filtered(
    *, buyer: User, rating: int | None = None, answered: bool | None = None, search: str = ""
) -> QuerySet[Review]:
    """The buyer's reviews narrowed by the page's filters: stars, answered by the store or not, words in
    the title, text or product name."""
    reviews = buyer_reviews(buyer=buyer)
    if rating is not None:
        reviews = reviews.filter(rating=rating)
    if answered is not None:
        reviews = reviews.filter(first_response_at__isnull=not answered)
    if search:
        reviews = reviews.filter(
            Q(title__icontains=search) | Q(body__icontains=search) | Q(product__name__icontains=search)
        )
    return reviews


def buyer_review_get(*, buyer: User, pk: int) -> Review | None:
    return buyer_reviews(buyer=buyer).filter(pk=pk).first()


def follow_up_for(review: Review) -> RecoveryFollowUp | None:
    try:
        return review.follow_up
    except RecoveryFollowUp.DoesNotExist:
        return None


def buyer_order(*, buyer: User, pk: int) -> Order | None:
    """One of the buyer's own orders, with its items and their products."""
    return (
        Order.objects.filter(pk=pk, buyer_id=buyer.pk)
        .select_related("seller")
        .prefetch_related(Prefetch("items", queryset=OrderItem.objects.select_related("product").order_by("id")))
        .first()
    )


def buyer_recent_orders(*, buyer: User, limit: int = 5) -> list[Order]:
    """The buyer's latest orders with their items, each item marked ``is_reviewed``."""
    reviewed = Review.objects.filter(buyer_id=buyer.pk, product_id=OuterRef("product_id"))
    items = OrderItem.objects.select_related("product").annotate(is_reviewed=Exists(reviewed)).order_by("id")
    return list(
        Order.objects.filter(buyer_id=buyer.pk)
        .select_related("seller")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-placed_at", "-id")[:limit]
    )


def buyer_cases(*, buyer: User) -> QuerySet[ReviewCase]:
    return (
        ReviewCase.objects.filter(buyer_id=buyer.pk)
        .select_related("review", "product", "order")
        .order_by("-created_at", "-id")
    )


def buyer_case_get(*, buyer: User, pk: int) -> ReviewCase | None:
    events = ReviewCaseEvent.objects.order_by("created_at", "id")
    return (
        buyer_cases(buyer=buyer)
        .filter(pk=pk)
        .prefetch_related(Prefetch("events", queryset=events, to_attr="timeline"))
        .first()
    )
