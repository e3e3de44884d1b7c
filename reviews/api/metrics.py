"""Review response metrics (``/api/v1/``): a seller's for its members and staff (anyone else: 404),
the platform's for staff (404 for everyone else). Periods and payload head as every figures endpoint
(``core.api.metrics``): ``period`` (``2026-11`` or ``2026-Q4``) or ``from``/``to`` (``to``
exclusive), UTC; default the current month."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors.users import is_staff_member
from core.api.errors import error_responses
from core.api.metrics import PERIOD_PARAMETERS, figures_payload, period_from_request
from core.permissions import IsAuthenticatedUser
from marketplace.selectors.scoping import seller_get_visible
from reviews.api.serializers import ReviewMetricsOutputSerializer
from reviews.selectors.metrics import review_metrics


class SellerReviewMetricsApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="seller_review_metrics",
        summary="A seller's review response metrics (its members and staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: ReviewMetricsOutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        seller = seller_get_visible(user=request.user, pk=pk)  # type: ignore[arg-type]
        if seller is None:
            raise NotFound()
        now = timezone.now()
        period = period_from_request(request, now=now)
        metrics = review_metrics(seller_id=seller.pk, start=period.start, end=period.end, now=now)
        return Response(
            ReviewMetricsOutputSerializer(figures_payload(seller_id=seller.pk, period=period, figures=metrics)).data
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
        now = timezone.now()
        period = period_from_request(request, now=now)
        metrics = review_metrics(seller_id=None, start=period.start, end=period.end, now=now)
        return Response(
            ReviewMetricsOutputSerializer(figures_payload(seller_id=None, period=period, figures=metrics)).data
        )


urlpatterns = [
    path("review-metrics/", PlatformReviewMetricsApi.as_view(), name="review-metrics"),
    path("sellers/<str:pk>/review-metrics/", SellerReviewMetricsApi.as_view(), name="seller-review-metrics"),
]
