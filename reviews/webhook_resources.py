"""How reviews and review cases appear in webhook events (``webhooks.resources``): exactly as
``GET /api/v1/reviews/<id>/`` and ``GET /api/v1/review-cases/<id>/`` show them to the staff who work
reviews (every response, the follow-up, the moderation fields; a case with its audit trail), built
with the API's serializers from the same loading, in a constant number of statements per batch
(reviews: the reviews with their follow-up and clock, then their responses; cases: the cases, then
their events)."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch

from core.api.rendering import api_json
from reviews.api.serializers import ReviewCaseOutputSerializer, ReviewOutputSerializer, Viewer
from reviews.models import Review, ReviewCase, ReviewResponse

# The API's context for a staff reader (``viewer_context`` of a support agent): staff see every
# review, response and case, so no store membership is needed.
STAFF_CONTEXT = {"viewer": Viewer(user_id=0, is_staff=True, member_seller_ids=frozenset())}


def reviews_render(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    responses = ReviewResponse.objects.order_by("created_at", "id")
    reviews = (
        Review.objects.filter(pk__in=ids)
        .select_related("follow_up", "clock")
        .prefetch_related(Prefetch("responses", queryset=responses, to_attr="visible_responses"))
    )
    return {review.pk: api_json(ReviewOutputSerializer(review, context=STAFF_CONTEXT).data) for review in reviews}


def review_cases_render(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    cases = ReviewCase.objects.filter(pk__in=ids).prefetch_related("events")
    return {case.pk: api_json(ReviewCaseOutputSerializer(case, context=STAFF_CONTEXT).data) for case in cases}


RESOURCES = {"review": reviews_render, "review_case": review_cases_render}
