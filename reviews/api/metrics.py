"""Review response metrics (``/api/v1/``): a seller's for its members and staff (anyone else: 404),
the platform's for staff (404 for everyone else). Periods and payload head as every figures endpoint
(``core.api.metrics``): ``period`` (``2026-11`` or ``2026-Q4``) or ``from``/``to`` (``to``
exclusive), UTC; default the current month."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts.selectors.users import is_staff_member
from core.api.errors import error_responses
from core.api.metrics import PERIOD_PARAMETERS, PlatformFiguresApi, SellerFiguresApi
from marketplace.selectors.scoping import seller_get_visible
from reviews.api.serializers import ReviewMetricsOutputSerializer
from reviews.selectors.metrics import review_metrics


@extend_schema_view(
    get=extend_schema(
        operation_id="seller_review_metrics",
        summary="A seller's review response metrics (its members and staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: ReviewMetricsOutputSerializer, **error_responses(400, 401, 404)},
    )
)
class SellerReviewMetricsApi(SellerFiguresApi):
    output = ReviewMetricsOutputSerializer
    figures = staticmethod(review_metrics)
    visible_seller = staticmethod(seller_get_visible)


@extend_schema_view(
    get=extend_schema(
        operation_id="platform_review_metrics",
        summary="Platform-wide review response metrics (staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: ReviewMetricsOutputSerializer, **error_responses(400, 401, 404)},
    )
)
class PlatformReviewMetricsApi(PlatformFiguresApi):
    output = ReviewMetricsOutputSerializer
    figures = staticmethod(review_metrics)
    may_see_platform = staticmethod(is_staff_member)


urlpatterns = [
    path("review-metrics/", PlatformReviewMetricsApi.as_view(), name="review-metrics"),
    path("sellers/<id:pk>/review-metrics/", SellerReviewMetricsApi.as_view(), name="seller-review-metrics"),
]
