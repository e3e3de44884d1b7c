"""The Feedback & CSAT reports API (``/api/v1/reports/...``), staff only: support, moderators,
finance and admins (``user_may_see_feedback_reports``); anyone else gets a 404, as for the
platform's other figures. Sellers read their own CSAT on their dashboard (``/seller/``).

- ``GET /api/v1/reports/csat/?period=2026-11|2026-Q4`` → ``{responses, satisfied, csat_pct,
  target_pct, by_category: {...}}`` and beside them the previous period's figure and the change,
  the breakdowns by channel, interaction type, seller and agent, and the 12-month trend.
- ``GET /api/v1/reports/feedback/?period=...`` → issue volume by category (this period and the
  previous), the monthly trend of answers, issues, log entries and feature requests, the recurring
  issues, the top feature requests, the response rate and the resolution time.

``period`` (or ``from``/``to``, ``to`` exclusive), UTC; nothing: the current month; a bad one is a
400 naming ``period`` (``core.periods``). Any other query parameter is a 400 naming it. The
figures are ``feedback.selectors.reports``, the console's and the mails' definitions.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import error_responses
from core.api.metrics import PERIOD_PARAMETERS, period_from_request
from core.permissions import IsAuthenticatedUser
from feedback.models import Category
from feedback.selectors.csat import CsatFigure
from feedback.selectors.reports import (
    CsatRow,
    csat_report,
    csat_trend,
    feature_requests,
    feedback_trend,
    issue_frequency,
    previous_period,
    recurring_issues,
    resolution_time,
    response_rate,
    user_may_see_feedback_reports,
)

KNOWN_PARAMS = frozenset({"period", "from", "to", "format"})
UNCATEGORISED_KEY = "uncategorised"


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _figure(figure: CsatFigure) -> dict[str, Any]:
    return {
        "responses": figure.responses,
        "satisfied": figure.satisfied,
        "csat_pct": _pct(figure.csat_pct),
        "meets_target": figure.meets_target,
    }


def _row(row: CsatRow) -> dict[str, Any]:
    return {
        **_figure(row.current),
        "name": row.label,
        "previous_responses": row.previous.responses,
        "previous_csat_pct": _pct(row.previous_pct),
        "change_pts": _pct(row.change_pts),
    }


def _empty_row(label: str) -> dict[str, Any]:
    return _row(CsatRow(key=None, label=label, current=CsatFigure(0, 0), previous=CsatFigure(0, 0)))


class CsatRowSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The category's, channel's, seller's or agent's name.")
    responses = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    csat_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    meets_target = serializers.BooleanField(allow_null=True)
    previous_responses = serializers.IntegerField()
    previous_csat_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    change_pts = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="Percentage points since the previous period."
    )


class TrendPointSerializer(serializers.Serializer):
    period = serializers.CharField()
    responses = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    csat_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ReportHeadSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="`2026-11`, `2026-Q4` or `2026-10-01..2026-11-01`.")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="Exclusive.")
    previous_period = serializers.CharField()


class CsatReportSerializer(ReportHeadSerializer):
    responses = serializers.IntegerField()
    satisfied = serializers.IntegerField(help_text="Answers of 4 or 5 overall.")
    csat_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    target_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    meets_target = serializers.BooleanField(allow_null=True)
    previous_responses = serializers.IntegerField()
    previous_csat_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    change_pts = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    by_category = serializers.DictField(
        child=CsatRowSerializer(), help_text="Every category (and `uncategorised` when there are such answers)."
    )
    by_channel = serializers.DictField(child=CsatRowSerializer())
    by_interaction_type = serializers.DictField(child=CsatRowSerializer())
    by_seller = serializers.DictField(child=CsatRowSerializer(), help_text="Keyed by the seller's id.")
    by_agent = serializers.DictField(child=CsatRowSerializer(), help_text="Keyed by the agent's user id.")
    trend = TrendPointSerializer(many=True, help_text="The 12 months ending with the period's last.")


class IssueRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    issues = serializers.IntegerField(help_text="Unhappy or explained survey answers plus feedback log entries.")
    responses = serializers.IntegerField()
    entries = serializers.IntegerField()
    previous_issues = serializers.IntegerField()
    change = serializers.IntegerField()
    rising_sharply = serializers.BooleanField()


class FeedbackReportSerializer(ReportHeadSerializer):
    by_category = serializers.DictField(child=IssueRowSerializer())
    trend = inline_serializer(
        "FeedbackVolumePoint",
        {
            "period": serializers.CharField(),
            "responses": serializers.IntegerField(),
            "issues": serializers.IntegerField(),
            "entries": serializers.IntegerField(),
            "feature_requests": serializers.IntegerField(),
        },
        many=True,
    )
    recurring_issues = inline_serializer(
        "RecurringIssue",
        {
            "category": serializers.CharField(),
            "keyword": serializers.CharField(),
            "count": serializers.IntegerField(),
            "previous_count": serializers.IntegerField(),
        },
        many=True,
    )
    feature_requests = inline_serializer(
        "FeatureRequestGroup",
        {
            "key": serializers.CharField(),
            "count": serializers.IntegerField(),
            "example": serializers.CharField(),
        },
        many=True,
    )
    response_rate = inline_serializer(
        "SurveyResponseRate",
        {
            "invitations_sent": serializers.IntegerField(),
            "responses": serializers.IntegerField(),
            "rate_pct": serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True),
        },
    )
    resolution = inline_serializer(
        "ResolutionTime",
        {
            "interaction_type": serializers.CharField(allow_null=True),
            "responses": serializers.IntegerField(),
            "median_seconds": serializers.IntegerField(allow_null=True),
            "average_seconds": serializers.IntegerField(allow_null=True),
        },
        many=True,
    )


class ReportApi(APIView):
    # The reports' common steps: who may (404 for anyone else), which parameters (400 for any other),
    # which period (400 naming it).

    permission_classes = [IsAuthenticatedUser]

    def check(self, request: Request) -> Any:
        if not user_may_see_feedback_reports(request.user):
            raise NotFound()
        unknown = sorted(name for name in request.query_params if name not in KNOWN_PARAMS)
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown query parameter. This report reads: from, period, to."] for name in unknown}
            )
        period = period_from_request(request, now=timezone.now())
        return period

    @staticmethod
    def head(period: Any) -> dict[str, Any]:
        return {
            "period": period.label,
            "start": period.start,
            "end": period.end,
            "previous_period": previous_period(period).label,
        }


@extend_schema_view(
    get=extend_schema(
        operation_id="report_csat",
        summary="CSAT for a month or quarter, platform-wide and by every breakdown (staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: CsatReportSerializer, **error_responses(400, 401, 404)},
    )
)
class CsatReportApi(ReportApi):
    def get(self, request: Request) -> Response:
        period = self.check(request)
        report = csat_report(period)
        by_category = {value: _empty_row(label) for value, label in Category.choices}
        for row in report.by["category"]:
            by_category[row.key or UNCATEGORISED_KEY] = _row(row)
        payload = {
            **self.head(period),
            **_row(report.overall),
            "target_pct": settings.FEEDBACK_TARGET_PCT,
            "by_category": by_category,
            "by_channel": {row.key: _row(row) for row in report.by["channel"]},
            "by_interaction_type": {row.key: _row(row) for row in report.by["interaction_type"]},
            "by_seller": {str(row.key): _row(row) for row in report.by["seller"]},
            "by_agent": {str(row.key): _row(row) for row in report.by["agent"]},
            "trend": [{"period": point.period.label, **_figure(point.figure)} for point in csat_trend(period)],
        }
        payload.pop("name")
        return Response(CsatReportSerializer(payload).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="report_feedback",
        summary="Feedback volume by category and its trend, recurring issues, feature requests (staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: FeedbackReportSerializer, **error_responses(400, 401, 404)},
    )
)
class FeedbackReportApi(ReportApi):
    def get(self, request: Request) -> Response:
        period = self.check(request)
        previous = previous_period(period)
        by_category = {
            (row.category or UNCATEGORISED_KEY): {
                "name": row.label,
                "issues": row.total,
                "responses": row.responses,
                "entries": row.entries,
                "previous_issues": row.previous_total,
                "change": row.change,
                "rising_sharply": row.is_rising_sharply,
            }
            for row in issue_frequency(period, previous=previous)
        }
        rate = response_rate(period)
        payload = {
            **self.head(period),
            "by_category": by_category,
            "trend": [
                {
                    "period": point.period.label,
                    "responses": point.responses,
                    "issues": point.issues,
                    "entries": point.entries,
                    "feature_requests": point.feature_requests,
                }
                for point in feedback_trend(period)
            ],
            "recurring_issues": [
                {
                    "category": issue.category or UNCATEGORISED_KEY,
                    "keyword": issue.keyword,
                    "count": issue.count,
                    "previous_count": issue.previous_count,
                }
                for issue in recurring_issues(period, previous=previous)
            ],
            "feature_requests": [
                {"key": group.key, "count": group.count, "example": group.example} for group in feature_requests(period)
            ],
            "response_rate": {
                "invitations_sent": rate.invitations_sent,
                "responses": rate.responses,
                "rate_pct": rate.rate_pct,
            },
            "resolution": [
                {
                    "interaction_type": row.key,
                    "responses": row.responses,
                    "median_seconds": row.median_seconds,
                    "average_seconds": row.average_seconds,
                }
                for row in resolution_time(period)
            ],
        }
        return Response(FeedbackReportSerializer(payload).data)


urlpatterns = [
    path("reports/csat/", CsatReportApi.as_view(), name="report-csat"),
    path("reports/feedback/", FeedbackReportApi.as_view(), name="report-feedback"),
]
