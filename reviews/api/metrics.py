"""Review response metrics (``/api/v1/``): a seller's for its members and staff (anyone else: 404),
the platform's for staff (404 for everyone else). Periods as in the inquiries metrics: ``period``
(``2026-11`` or ``2026-Q4``) or ``from``/``to`` (``to`` exclusive), UTC; default the current month."""

from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import error_responses
from accounts.models import User
from accounts.roles import is_staff_member
from core.permissions import IsAuthenticatedUser
from inquiries.periods import Period, parse_period
from marketplace.models import Seller
from marketplace.selectors.scoping import user_is_seller_member
from reviews.api.serializers import ReviewMetricsOutputSerializer
from reviews.selectors.metrics import BandMetrics, ReviewMetrics, review_metrics

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        description="A month (`2026-11`) or a quarter (`2026-Q4`), UTC. Default: this month.",
    ),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a range (with `to`), UTC."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Day after the range (exclusive), UTC."),
]


def _period(request: Request) -> Period:
    params = request.query_params
    return parse_period(
        period=params.get("period"), date_from=params.get("from"), date_to=params.get("to"), now=timezone.now()
    )


def _band(metrics: BandMetrics) -> dict[str, Any]:
    return metrics.__dict__.copy()


def _payload(*, seller_id: int | None, period: Period, metrics: ReviewMetrics) -> dict[str, Any]:
    return {
        "seller": seller_id,
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "total": _band(metrics.total),
        "by_band": {band: _band(figures) for band, figures in metrics.by_band.items()},
        "open_negative_reviews": metrics.open_negative_reviews,
        "escalated_open": metrics.escalated_open,
        "flagged_responses": metrics.flagged_responses,
        "pending_moderation": metrics.pending_moderation,
        "strikes": metrics.strikes,
        "open_cases": metrics.open_cases,
        "oldest_open_case_age_seconds": metrics.oldest_open_case_age_seconds,
    }


class SellerReviewMetricsApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="seller_review_metrics",
        summary="A seller's review response metrics (its members and staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: ReviewMetricsOutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        user: User = request.user  # type: ignore[assignment]
        if not pk.isdigit() or len(pk) > 18 or int(pk) < 1:
            raise NotFound()
        seller = Seller.objects.filter(pk=int(pk)).first()
        if seller is None or not (is_staff_member(user) or user_is_seller_member(user, seller.pk)):
            raise NotFound()
        period = _period(request)
        metrics = review_metrics(seller_id=seller.pk, start=period.start, end=period.end, now=timezone.now())
        return Response(
            ReviewMetricsOutputSerializer(_payload(seller_id=seller.pk, period=period, metrics=metrics)).data
        )


class PlatformReviewMetricsApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="platform_review_metrics",
        summary="Platform-wide review response metrics (staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: ReviewMetricsOutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        if not is_staff_member(request.user):  # type: ignore[arg-type]
            raise NotFound()
        period = _period(request)
        metrics = review_metrics(seller_id=None, start=period.start, end=period.end, now=timezone.now())
        return Response(ReviewMetricsOutputSerializer(_payload(seller_id=None, period=period, metrics=metrics)).data)


urlpatterns = [
    path("review-metrics/", PlatformReviewMetricsApi.as_view(), name="review-metrics"),
    path("sellers/<str:pk>/review-metrics/", SellerReviewMetricsApi.as_view(), name="seller-review-metrics"),
]
