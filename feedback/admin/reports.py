"""The console's Feedback & CSAT report (``/admin/feedback/actionplan/report/?period=2026-11``) and
its CSV (``.../report/csv/``), the action plans it judges and the category owners its alerts go to.

The figures are ``feedback.selectors.reports`` (the API's and the report mails' definitions), the
periods ``core.periods`` (``2026-11``, ``2026-Q4``, or ``from``/``to``; default the last full month,
which has data all month long). Every count links to the survey answers behind it (the answers'
changelist, filtered by the period and the row's category, seller, ...). A bad period is said on
the page (400); nothing is computed then.
"""

import csv
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone

from core.charts import Chart, ChartPoint, bar_chart
from core.console import acting_user
from core.durations import duration_text
from core.exceptions import InvalidInput
from core.figures import percent_text
from core.periods import (
    Period,
    last_full_month,
    parse_period,
    period_menu,
    period_navigation,
    period_title,
)
from feedback.models import ActionPlan, Category, EntryKind
from feedback.selectors.reports import (
    DIMENSION_FIELD,
    DIMENSION_TITLES,
    ActionPlanEffect,
    CsatRow,
    FeedbackReport,
    feedback_report,
    user_may_see_feedback_reports,
)
from feedback.services.reports import ACTION_PLAN_FIELDS, action_plan_create, action_plan_update

ROWS_SHOWN = 25  # of the seller and agent tables (worst first); the CSV has them all
TABLE_DIMENSIONS = ("channel", "interaction_type", "agent", "seller")
NONE_TEXT = {
    "channel": "any channel",
    "interaction_type": "any interaction",
    "agent": "an agent's work",
    "seller": "a seller",
}


def change_text(points: Decimal | None) -> str:
    if points is None:
        return "—"
    text = f"{float(points):+.1f}".removesuffix(".0")
    return f"{text} pts"


class Links:
    """Console list URLs of the rows behind a figure; None where the user may not open the list."""

    def __init__(self, request: HttpRequest, period: Period) -> None:
        self.user = request.user
        self.period = period

    def _list(self, model_name: str) -> str | None:
        if not self.user.has_perm(f"feedback.view_{model_name}"):
            return None
        try:
            return reverse(f"admin:feedback_{model_name}_changelist")
        except NoReverseMatch:  # that list is not in the console
            return None

    def responses(self, *, start: datetime | None = None, end: datetime | None = None, **params: Any) -> str | None:
        base = self._list("surveyresponse")
        if base is None:
            return None
        query = {
            "created_at__gte": (start or self.period.start).isoformat(),
            "created_at__lt": (end or self.period.end).isoformat(),
            **params,
        }
        return f"{base}?{urlencode(query)}"

    def entries(self, **params: Any) -> str | None:
        base = self._list("feedbackentry")
        if base is None:
            return None
        query = {"created_at__gte": self.period.start.isoformat(), "created_at__lt": self.period.end.isoformat()}
        return f"{base}?{urlencode({**query, **params})}"


def _row_params(dimension: str, key: Any) -> dict[str, Any]:
    field = DIMENSION_FIELD[dimension].removesuffix("_id")
    return {field: key}


def _csat_row(row: CsatRow, links: Links, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": row.label,
        "responses": row.current.responses,
        "responses_url": links.responses(**params),
        "satisfied": row.current.satisfied,
        "unsatisfied": row.current.responses - row.current.satisfied,
        "unsatisfied_url": links.responses(**params, satisfied__exact=0),
        "csat": percent_text(row.csat_pct),
        "previous": percent_text(row.previous_pct),
        "change": change_text(row.change_pts),
        "change_sign": ""
        if row.change_pts is None
        else ("up" if row.change_pts > 0 else "down" if row.change_pts < 0 else ""),
        "meets_target": row.meets_target,
    }


def trend_chart(report: FeedbackReport) -> Chart:
    points = [
        ChartPoint(
            label=point.period.label,
            short_label=f"{point.period.start:%b}",
            value=point.figure.csat_pct,
            sub_text=f"{point.figure.responses}",
            count_text=f"{point.figure.responses} answer{pluralize(point.figure.responses)}",
        )
        for point in report.trend
    ]
    return bar_chart(
        points,
        title="CSAT per month, last 12 months",
        target_pct=settings.FEEDBACK_TARGET_PCT,
        value_heading="CSAT",
        count_heading="Answers",
    )


SHORT_CATEGORY = {
    "technical": "Technical",
    "product": "Product",
    "customer_service": "Service",
    "platform_features": "Features",
    "payment_billing": "Payment",
    "shipping_delivery": "Shipping",
}


def category_chart(report: FeedbackReport) -> Chart:
    rows = {row.key: row for row in report.csat.by["category"]}
    points = []
    for value, label in Category.choices:
        row = rows.get(value)
        responses = row.current.responses if row else 0
        points.append(
            ChartPoint(
                label=label,
                short_label=SHORT_CATEGORY[value],
                value=row.csat_pct if row else None,
                sub_text=f"{responses}",
                count_text=f"{responses} answer{pluralize(responses)}",
            )
        )
    return bar_chart(
        points,
        title=f"CSAT by category, {period_title(report.csat.period)}",
        target_pct=settings.FEEDBACK_TARGET_PCT,
        value_heading="CSAT",
        count_heading="Answers",
    )


def _plan_row(effect: ActionPlanEffect, links: Links) -> dict[str, Any]:
    plan = effect.plan
    params = {"category": plan.category}
    before, after = effect.before, effect.after
    verdict = {True: "Helped", False: "Worse", None: "Too early to say" if after is None else "Mixed"}[effect.helped]
    return {
        "plan": plan,
        "url": reverse("admin:feedback_actionplan_change", args=[plan.pk]),
        "before_window": f"{before.start:%-d %b} - {(before.end - timedelta(seconds=1)):%-d %b %Y}",
        "before_csat": percent_text(before.csat.csat_pct),
        "before_responses": before.csat.responses,
        "before_url": links.responses(start=before.start, end=before.end, **params),
        "before_issues": before.issues,
        "after_window": (
            f"{after.start:%-d %b} - {(after.end - timedelta(seconds=1)):%-d %b %Y}" if after else "not in effect yet"
        ),
        "after_csat": percent_text(after.csat.csat_pct) if after else "—",
        "after_responses": after.csat.responses if after else None,
        "after_url": links.responses(start=after.start, end=after.end, **params) if after else None,
        "after_issues": after.issues if after else None,
        "change": change_text(effect.change_pts),
        "verdict": verdict,
        "helped": effect.helped,
    }


def _period(request: HttpRequest, now: datetime) -> Period:
    params = request.GET
    if not any((params.get(name) or "").strip() for name in ("period", "from", "to")):
        return last_full_month(now)
    return parse_period(period=params.get("period"), date_from=params.get("from"), date_to=params.get("to"), now=now)


def report_context(request: HttpRequest, report: FeedbackReport) -> dict[str, Any]:
    """The page's figures, each with the link to the answers behind it."""
    period = report.csat.period
    links = Links(request, period)
    overall = report.csat.overall
    by = report.csat.by
    tables = []
    for dimension in TABLE_DIMENSIONS:
        rows = by[dimension]
        tables.append(
            {
                "dimension": dimension,
                "title": DIMENSION_TITLES[dimension],
                "none_text": NONE_TEXT[dimension],
                "rows": [_csat_row(row, links, _row_params(dimension, row.key)) for row in rows[:ROWS_SHOWN]],
                "counted": len(rows),
            }
        )
    rate = report.response_rate
    return {
        "headline": {
            **_csat_row(overall, links, {}),
            "target": percent_text(settings.FEEDBACK_TARGET_PCT),
            "previous_title": period_title(report.csat.previous),
        },
        "response_rate": {
            "invitations_sent": rate.invitations_sent,
            "responses": rate.responses,
            "rate": percent_text(rate.rate_pct),
        },
        "trend_chart": trend_chart(report),
        "category_chart": category_chart(report),
        "categories": [_csat_row(row, links, {"category": row.key}) | {"key": row.key} for row in by["category"]],
        "tables": tables,
        "issues": [
            {
                "label": row.label,
                "total": row.total,
                "responses": row.responses,
                "responses_url": links.responses(category=row.category),
                "entries": row.entries,
                "entries_url": links.entries(category=row.category, kind=EntryKind.FEEDBACK),
                "previous": row.previous_total,
                "change": f"{row.change:+d}",
                "rising": row.is_rising_sharply,
            }
            for row in report.issues
        ],
        "recurring": [
            {
                "issue": issue,
                "url": links.responses(category=issue.category, issues__icontains=issue.keyword),
            }
            for issue in report.recurring
        ],
        "feature_requests": [
            {
                "request": request_group,
                "url": links.entries(kind=EntryKind.FEATURE_REQUEST, body__icontains=request_group.key)
                if request_group.from_entries
                else None,
            }
            for request_group in report.feature_requests
        ],
        "resolution": [
            {
                "label": row.label,
                "responses": row.responses,
                "median": duration_text(row.median_seconds),
                "average": duration_text(row.average_seconds),
                "url": links.responses(interaction_type=row.key) if row.key else links.responses(),
            }
            for row in report.resolution
        ],
        "plans": [_plan_row(effect, links) for effect in report.action_plans],
        "plans_url": reverse("admin:feedback_actionplan_changelist"),
        "may_add_plan": request.user.has_perm("feedback.add_actionplan"),
        "plan_window_days": settings.FEEDBACK_ACTION_PLAN_WINDOW.days,
    }


def feedback_report_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not user_may_see_feedback_reports(request.user):
        raise PermissionDenied
    now = timezone.now()
    url = reverse("admin:feedback_report")
    errors: list[str] = []
    status = 200
    try:
        period = _period(request, now)
    except InvalidInput as error:
        errors.append(f"Period: {error.message}")
        status = 400
        period = last_full_month(now)
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "opts": ActionPlan._meta,
        "title": "Feedback & CSAT report",
        "errors": errors,
        "period": period,
        "period_title": period_title(period),
        "period_menu": period_menu(period, now),
        "navigation": period_navigation(
            period, now=now, link=lambda target: f"{url}?{urlencode({'period': target.label})}"
        ),
        "now": now,
        "target_pct": settings.FEEDBACK_TARGET_PCT,
        "csv_url": f"{reverse('admin:feedback_report_csv')}?{urlencode({'period': period.label})}",
    }
    if not errors:
        context.update(report_context(request, feedback_report(period, now=now)))
    return TemplateResponse(request, "admin/feedback/report.html", context, status=status)


def _csv_pct(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def feedback_report_csv_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The report as CSV: one row per figure (section, breakdown, key, name, then the numbers)."""
    if not user_may_see_feedback_reports(request.user):
        raise PermissionDenied
    now = timezone.now()
    try:
        period = _period(request, now)
    except InvalidInput as error:
        return HttpResponse(f"period: {error.message}\n", status=400, content_type="text/plain; charset=utf-8")
    report = feedback_report(period, now=now)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="feedback-report-{period.label}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "section",
            "breakdown",
            "key",
            "name",
            "responses",
            "satisfied",
            "csat_pct",
            "previous_csat_pct",
            "change_pts",
            "target_pct",
            "period",
        ]
    )

    def csat_line(section: str, breakdown: str, row: CsatRow) -> list[Any]:
        return [
            section,
            breakdown,
            "" if row.key is None else row.key,
            row.label,
            row.current.responses,
            row.current.satisfied,
            _csv_pct(row.csat_pct),
            _csv_pct(row.previous_pct),
            _csv_pct(row.change_pts),
            settings.FEEDBACK_TARGET_PCT,
            period.label,
        ]

    writer.writerow(csat_line("csat", "platform", report.csat.overall))
    for dimension, rows in report.csat.by.items():
        for row in rows:
            writer.writerow(csat_line("csat", dimension, row))
    for point in report.trend:
        figure = point.figure
        writer.writerow(
            [
                "trend",
                "month",
                point.period.label,
                point.period.label,
                figure.responses,
                figure.satisfied,
                _csv_pct(figure.csat_pct),
                "",
                "",
                settings.FEEDBACK_TARGET_PCT,
                period.label,
            ]
        )
    writer.writerow([])
    writer.writerow(
        [
            "section",
            "breakdown",
            "key",
            "name",
            "issues",
            "survey_answers",
            "log_entries",
            "previous_issues",
            "change",
            "rising_sharply",
            "period",
        ]
    )
    for issue in report.issues:
        writer.writerow(
            [
                "issues",
                "category",
                issue.category,
                issue.label,
                issue.total,
                issue.responses,
                issue.entries,
                issue.previous_total,
                issue.change,
                issue.is_rising_sharply,
                period.label,
            ]
        )
    writer.writerow([])
    writer.writerow(["section", "category", "keyword", "count", "previous_count", "period"])
    for recurring in report.recurring:
        writer.writerow(
            [
                "recurring",
                recurring.category,
                recurring.keyword,
                recurring.count,
                recurring.previous_count,
                period.label,
            ]
        )
    writer.writerow([])
    writer.writerow(["section", "key", "count", "from_entries", "from_responses", "example", "period"])
    for group in report.feature_requests:
        writer.writerow(
            [
                "feature_request",
                group.key,
                group.count,
                group.from_entries,
                group.from_responses,
                group.example,
                period.label,
            ]
        )
    writer.writerow([])
    writer.writerow(["section", "invitations_sent", "responses", "rate_pct", "period"])
    rate = report.response_rate
    writer.writerow(["response_rate", rate.invitations_sent, rate.responses, _csv_pct(rate.rate_pct), period.label])
    writer.writerow([])
    writer.writerow(["section", "interaction_type", "responses", "median_seconds", "average_seconds", "period"])
    for time in report.resolution:
        writer.writerow(
            ["resolution", time.key or "all", time.responses, time.median_seconds, time.average_seconds, period.label]
        )
    return response


@admin.register(ActionPlan)
class ActionPlanAdmin(admin.ModelAdmin):
    """Action plans staff record against a category (or one recurring issue); the report judges
    each one by the category's CSAT and issues before and after ``effective_on``. Created and changed
    through ``action_plan_create`` / ``action_plan_update``; never deleted (drop them instead)."""

    list_display = ("title", "category", "keyword", "owner", "status", "due_on", "effective_on", "updated_at")
    list_filter = ("status", "category")
    search_fields = ("title", "keyword", "what_changes")
    list_select_related = ("owner",)
    fields = (*ACTION_PLAN_FIELDS, "created_by", "created_at", "updated_at")
    readonly_fields = ("created_by", "created_at", "updated_at")
    change_list_template = "admin/feedback/actionplan/change_list.html"

    def has_delete_permission(self, request: HttpRequest, obj: ActionPlan | None = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "owner":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ActionPlan, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ACTION_PLAN_FIELDS if name in form.cleaned_data}
        now = timezone.now()
        if change:
            saved = action_plan_update(plan=obj, actor=acting_user(request), now=now, **data)
        else:
            saved = action_plan_create(actor=acting_user(request), now=now, **data)
        obj.pk = saved.pk
        obj.created_at, obj.updated_at, obj.created_by = saved.created_at, saved.updated_at, saved.created_by

    def get_urls(self) -> list[URLPattern]:
        report = self.admin_site.admin_view(self.report_view)
        report_csv = self.admin_site.admin_view(self.report_csv_view)
        return [
            path("report/", report, name="feedback_report"),
            path("report/csv/", report_csv, name="feedback_report_csv"),
            *super().get_urls(),
        ]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        return feedback_report_view(self, request)

    def report_csv_view(self, request: HttpRequest) -> HttpResponse:
        return feedback_report_csv_view(self, request)
