"""Response KPIs, their per-inquiry CSV and seller standing (``/api/v1/``).

Visibility first: a seller's figures, CSV and standing are for the seller's own members and staff;
anyone else gets 404 (the seller is not theirs to see). The platform-wide figures and CSV are for
staff only (404 for everyone else). Overriding a standing: moderators and admins (403 for the
seller's members and other staff, who can see it).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors.users import is_staff_member
from core.api.csv import CsvRenderer, JsonErrorsMixin
from core.api.errors import error_responses
from core.api.metrics import (
    PERIOD_PARAMETERS,
    PeriodFiguresSerializer,
    PlatformFiguresApi,
    SellerFiguresApi,
    period_from_request,
)
from core.periods import Period
from core.permissions import IsAuthenticatedUser
from inquiries.models import SellerStanding, StandingLevel
from inquiries.selectors.conversations import user_reads_all_conversations
from inquiries.selectors.exports import export_filename, export_lines
from inquiries.selectors.kpis import response_metrics
from inquiries.services.standing import standing_override, standing_project, user_may_override_standing
from marketplace.models import Seller
from marketplace.selectors.scoping import member_seller_ids, seller_get_visible

# --- helpers ------------------------------------------------------------------------------------


def seller_for_metrics(*, user: User, pk: int) -> Seller:
    """The seller if the user is one of its members or staff; otherwise 404."""
    seller = seller_get_visible(user=user, pk=pk)
    if seller is None:
        raise NotFound()
    return seller


def _require_staff(user: User) -> None:
    if not is_staff_member(user):
        raise NotFound()


def _period(request: Request) -> Period:
    return period_from_request(request, now=timezone.now())


# --- response metrics ---------------------------------------------------------------------------


class ResponseMetricsOutputSerializer(PeriodFiguresSerializer):
    """A seller's (or the platform's) response KPIs for the inquiries opened in the period."""

    inquiries = serializers.IntegerField(help_text="Counted inquiries opened in the period (the denominator).")
    answered = serializers.IntegerField(help_text="Counted inquiries answered by the seller or by support.")
    answered_within_target = serializers.IntegerField(help_text="Answered by the seller within the target.")
    within_target_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Null when nothing counts."
    )
    average_first_response_seconds = serializers.IntegerField(allow_null=True)
    median_first_response_seconds = serializers.IntegerField(allow_null=True)
    escalated = serializers.IntegerField(help_text="Escalated to support or answered by support.")
    excluded = serializers.IntegerField(help_text="Marked 'no response needed' (left out of the figures).")
    target_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    meets_target = serializers.BooleanField(allow_null=True)


@extend_schema_view(
    get=extend_schema(
        operation_id="seller_response_metrics",
        summary="A seller's response KPIs for a month, quarter or range (its members and staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: ResponseMetricsOutputSerializer, **error_responses(400, 401, 404)},
    )
)
class SellerResponseMetricsApi(SellerFiguresApi):
    output = ResponseMetricsOutputSerializer
    figures = staticmethod(response_metrics)
    visible_seller = staticmethod(seller_get_visible)


@extend_schema_view(
    get=extend_schema(
        operation_id="platform_response_metrics",
        summary="Platform-wide response KPIs for a month, quarter or range (staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: ResponseMetricsOutputSerializer, **error_responses(400, 401, 404)},
    )
)
class PlatformResponseMetricsApi(PlatformFiguresApi):
    output = ResponseMetricsOutputSerializer
    figures = staticmethod(response_metrics)
    may_see_platform = staticmethod(is_staff_member)


# --- CSV export ---------------------------------------------------------------------------------


CSV_RESPONSES: dict[Any, Any] = {
    (200, "text/csv"): OpenApiResponse(
        response=OpenApiTypes.STR,
        description="One row per inquiry opened in the period: "
        "the columns `counted`, `within_target` and `escalated` follow the figures' rule.",
    ),
    **{(code, "application/json"): response for code, response in error_responses(400, 401, 404).items()},
}


def _csv_response(*, seller_id: int | None, period: Period, with_subject: bool) -> StreamingHttpResponse:
    lines = export_lines(
        seller_id=seller_id, start=period.start, end=period.end, now=timezone.now(), with_subject=with_subject
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(seller_id=seller_id, label=period.label)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


class CsvExportApi(JsonErrorsMixin, APIView):
    # The success body is a streamed CSV whatever the Accept header; errors are JSON.
    permission_classes = [IsAuthenticatedUser]
    renderer_classes = [JSONRenderer, CsvRenderer]


class SellerInquiriesCsvApi(CsvExportApi):
    @extend_schema(
        operation_id="seller_response_metrics_csv",
        summary="A seller's inquiries in a period as CSV, one row each (its members and staff)",
        parameters=PERIOD_PARAMETERS,
        responses=CSV_RESPONSES,
    )
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        user: User = request.user  # type: ignore[assignment]
        seller = seller_for_metrics(user=user, pk=pk)
        # The subjects are the buyers' words: for the store's members and the staff who read
        # conversations, not for finance or the integration client (the figures are theirs).
        # (Who is not staff got here as the store's member: no query to ask again.)
        with_subject = not is_staff_member(user) or user_reads_all_conversations(user)
        return _csv_response(seller_id=seller.pk, period=_period(request), with_subject=with_subject)


class PlatformInquiriesCsvApi(CsvExportApi):
    @extend_schema(
        operation_id="platform_response_metrics_csv",
        summary="All inquiries in a period as CSV, one row each (staff)",
        parameters=PERIOD_PARAMETERS,
        responses=CSV_RESPONSES,
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        user: User = request.user  # type: ignore[assignment]
        _require_staff(user)
        return _csv_response(seller_id=None, period=_period(request), with_subject=user_reads_all_conversations(user))


# --- standing -----------------------------------------------------------------------------------


class StandingFiguresSerializer(serializers.Serializer):
    inquiries = serializers.IntegerField()
    answered_within_target = serializers.IntegerField()
    within_target_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ProjectedStandingSerializer(StandingFiguresSerializer):
    period = serializers.CharField(help_text="The current quarter, e.g. `2026-Q4`.")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    as_of = serializers.DateTimeField()
    level = serializers.ChoiceField(choices=StandingLevel.choices)
    tips = serializers.ListField(child=serializers.CharField())


class StandingOutputSerializer(StandingFiguresSerializer):
    id = serializers.IntegerField()
    seller = serializers.IntegerField(source="seller_id")
    period = serializers.CharField()
    level = serializers.ChoiceField(choices=StandingLevel.choices, help_text="As decided from the figures.")
    effective_level = serializers.CharField(help_text="The level in force: the override if any, else `level`.")
    tips = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField()
    overridden_level = serializers.CharField(help_text="Empty unless staff overrode the decision.")
    override_reason = serializers.CharField()
    overridden_at = serializers.DateTimeField(allow_null=True)

    def get_tips(self, standing: SellerStanding) -> list[str]:
        return [line for line in standing.tips.splitlines() if line]


class SellerStandingOutputSerializer(serializers.Serializer):
    seller = serializers.IntegerField()
    projection = ProjectedStandingSerializer(help_text="If the current quarter ended now.")
    history = StandingOutputSerializer(many=True, help_text="Decided quarters, newest first.")


def standing_visible_queryset(user: User) -> QuerySet[SellerStanding]:
    if not (user.is_authenticated and user.is_active):
        return SellerStanding.objects.none()
    if is_staff_member(user):
        return SellerStanding.objects.all()
    return SellerStanding.objects.filter(seller_id__in=member_seller_ids(user))


class SellerStandingApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="seller_standing",
        summary="A seller's projected standing for this quarter and its decided quarters (members and staff)",
        responses={200: SellerStandingOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        seller = seller_for_metrics(user=request.user, pk=pk)  # type: ignore[arg-type]
        projection = standing_project(seller=seller, now=timezone.now())
        history = SellerStanding.objects.filter(seller=seller).order_by("-period")
        payload = {
            "seller": seller.pk,
            "projection": {
                "period": projection.period,
                "start": projection.start,
                "end": projection.end,
                "as_of": projection.as_of,
                "level": projection.level,
                "tips": projection.tips,
                "inquiries": projection.metrics.inquiries,
                "answered_within_target": projection.metrics.answered_within_target,
                "within_target_pct": projection.metrics.within_target_pct,
            },
            "history": history,
        }
        return Response(SellerStandingOutputSerializer(payload).data)


class StandingOverrideInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=StandingLevel.choices)
    reason = serializers.CharField(max_length=2000)


class StandingOverrideApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="standing_override",
        summary="Override a decided standing with a reason (moderators and admins)",
        request=StandingOverrideInputSerializer,
        responses={200: StandingOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        standing = standing_visible_queryset(user).filter(pk=pk).first()
        if standing is None:
            raise NotFound()
        # The role before the body: a seller member sending nothing gets 403, not 400.
        if not user_may_override_standing(user):
            raise PermissionDenied("Only moderators and admins can override a standing.")
        data = StandingOverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        standing = standing_override(
            standing=standing,
            level=data.validated_data["level"],
            reason=data.validated_data["reason"],
            actor=user,
            now=timezone.now(),
        )
        return Response(StandingOutputSerializer(standing).data)


urlpatterns = [
    path("response-metrics/", PlatformResponseMetricsApi.as_view(), name="response-metrics"),
    path("response-metrics/inquiries.csv", PlatformInquiriesCsvApi.as_view(), name="response-metrics-csv"),
    path("sellers/<id:pk>/response-metrics/", SellerResponseMetricsApi.as_view(), name="seller-response-metrics"),
    path(
        "sellers/<id:pk>/response-metrics/inquiries.csv",
        SellerInquiriesCsvApi.as_view(),
        name="seller-response-metrics-csv",
    ),
    path("sellers/<id:pk>/standing/", SellerStandingApi.as_view(), name="seller-standing"),
    path("standings/<id:pk>/override/", StandingOverrideApi.as_view(), name="standing-override"),
]
