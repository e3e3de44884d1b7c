"""The reads behind the reviews API, each scoped to the acting user and N+1-free (a page of 2 rows
costs the same number of queries as a page of 200).

Who sees what (anything outside the set is a 404 for that user):

- reviews: every signed-in user sees published reviews; a buyer also their own in any status (so
  they can see that one was hidden, and why, and open a case); a seller member also every review
  of their stores' products in any status (a hidden or removed review moved their rating; they
  should know which); the staff whose work reviews are (``user_reads_all_reviews``: support,
  moderators, admins, holders of ``reviews.view_review``) all. The moderation note and moderator are
  fields for those staff only (the serializers leave them out for everyone else). Finance and the
  integration client are staff but work no reviews: they see what any signed-in user sees, as the
  console shows them no review.
- responses: published ones wherever the review is visible; pending, edit-requested and hidden ones
  only to the responding store's members and those staff.
- response templates: a seller member their stores' own and the platform's; those staff all.
- review cases: a buyer their own; those staff (``user_reads_all_cases``) all.
"""

from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from accounts.models import Role, User
from accounts.selectors.users import is_staff_whose_work_it_is
from marketplace.selectors.scoping import member_seller_ids
from reviews.models import (
    ProductRating,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewCase,
    ReviewResponse,
    ReviewStatus,
    SellerRating,
    SellerStrike,
)


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# The staff roles whose work reviews and review cases are (admins always; other staff by permission).
REVIEW_STAFF_ROLES = frozenset({Role.SUPPORT, Role.MODERATOR})


def user_reads_all_reviews(user: User) -> bool:
    return is_staff_whose_work_it_is(user, roles=REVIEW_STAFF_ROLES, permission="reviews.view_review")


def user_reads_all_cases(user: User) -> bool:
    return is_staff_whose_work_it_is(user, roles=REVIEW_STAFF_ROLES, permission="reviews.view_reviewcase")


def user_reads_all_response_templates(user: User) -> bool:
    return is_staff_whose_work_it_is(user, roles=REVIEW_STAFF_ROLES, permission="reviews.view_responsetemplate")


def review_visibility_q(user: User) -> Q:
    if not _is_active_user(user):
        return Q(pk__in=[])
    if user_reads_all_reviews(user):
        return Q()
    return Q(status=ReviewStatus.PUBLISHED) | Q(buyer_id=user.pk) | Q(seller_id__in=member_seller_ids(user))


def response_visibility_q(user: User, *, prefix: str = "") -> Q:
    if not _is_active_user(user):
        return Q(pk__in=[])
    if user_reads_all_reviews(user):
        return Q()
    return Q(**{f"{prefix}status": ResponseStatus.PUBLISHED}) | Q(**{f"{prefix}seller_id__in": member_seller_ids(user)})


def review_list(*, actor: User) -> QuerySet[Review]:
    """Reviews the actor may see, newest first, with the responses the actor may see (one extra
    query per page, whatever its size)."""
    if not _is_active_user(actor):
        return Review.objects.none()
    responses = ReviewResponse.objects.filter(response_visibility_q(actor)).order_by("created_at", "id")
    return (
        Review.objects.filter(review_visibility_q(actor))
        .select_related("follow_up", "clock")
        .prefetch_related(Prefetch("responses", queryset=responses, to_attr="visible_responses"))
        .order_by("-created_at", "-id")
    )


def review_response_list(*, actor: User) -> QuerySet[ReviewResponse]:
    """Responses the actor may see, on reviews the actor may see, oldest first."""
    if not _is_active_user(actor):
        return ReviewResponse.objects.none()
    visible_reviews = Review.objects.filter(review_visibility_q(actor)).values("id")
    return ReviewResponse.objects.filter(response_visibility_q(actor), review_id__in=visible_reviews).order_by(
        "created_at", "id"
    )


def user_may_use_response_templates(user: User) -> bool:
    """Response templates are a seller's tool: members of a store (and the staff who work reviews)."""
    if not _is_active_user(user):
        return False
    return user_reads_all_response_templates(user) or user.seller_memberships.exists()


def response_template_list(*, actor: User) -> QuerySet[ResponseTemplate]:
    """The actor's stores' own templates first, then the platform's (staff: all)."""
    if not _is_active_user(actor):
        return ResponseTemplate.objects.none()
    templates = ResponseTemplate.objects.all()
    if not user_reads_all_response_templates(actor):
        templates = templates.filter(Q(seller_id__in=member_seller_ids(actor)) | Q(seller__isnull=True))
    return templates.order_by(F("seller_id").asc(nulls_last=True), "situation", "title", "id")


def review_case_list(*, actor: User) -> QuerySet[ReviewCase]:
    """A buyer's own cases; the staff who work them all. Newest first."""
    if not _is_active_user(actor):
        return ReviewCase.objects.none()
    cases = ReviewCase.objects.all()
    if not user_reads_all_cases(actor):
        cases = cases.filter(buyer_id=actor.pk)
    return cases.order_by("-created_at", "-id")


def product_rating(*, product_id: int) -> ProductRating:
    """The product's counters (zeros when it has no published review): one primary-key read."""
    return ProductRating.objects.filter(pk=product_id).first() or ProductRating(product_id=product_id)


def seller_rating(*, seller_id: int) -> SellerRating:
    return SellerRating.objects.filter(pk=seller_id).first() or SellerRating(seller_id=seller_id)


def seller_strike_count(*, seller_id: int) -> int:
    return SellerStrike.objects.filter(seller_id=seller_id).count()
