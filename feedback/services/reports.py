"""Writes of the reports side: action plans (kept by staff in the console) and the report sweep
(alerts to category owners, the monthly and quarterly report mails)."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from core.exceptions import InvalidInput
from core.figures import percent_text
from core.periods import Period, month_period, quarter_of
from feedback.models import ActionPlan, ActionStatus, Category, CategoryOwner, ReportDispatch, ReportKind
from feedback.notices import Kind
from feedback.selectors.reports import csat_breakdown, feedback_report, issue_frequency, previous_period
from notifications.services.notify import notify

ACTION_PLAN_FIELDS = ("category", "keyword", "title", "what_changes", "owner", "due_on", "effective_on", "status")


def _check_plan(*, category: str, title: str, what_changes: str, status: str) -> None:
    if category not in Category.values:
        raise InvalidInput("Choose one of the six categories.", code="invalid", field="category")
    if not title.strip():
        raise InvalidInput("Say what the action is.", code="required", field="title")
    if not what_changes.strip():
        raise InvalidInput("Say what changes.", code="required", field="what_changes")
    if status not in ActionStatus.values:
        raise InvalidInput("Unknown status.", code="invalid", field="status")


@transaction.atomic
def action_plan_create(*, actor: Any, now: datetime, **fields: Any) -> ActionPlan:
    """Record an action against a category (optionally one recurring issue, ``keyword``)."""
    data = {name: fields[name] for name in ACTION_PLAN_FIELDS if name in fields}
    data.setdefault("keyword", "")
    data.setdefault("status", ActionStatus.PLANNED)
    data["keyword"] = data["keyword"].strip().lower()
    _check_plan(
        category=data["category"],
        title=data["title"],
        what_changes=data["what_changes"],
        status=data["status"],
    )
    return ActionPlan.objects.create(**data, created_by=actor, created_at=now, updated_at=now)


@transaction.atomic
def action_plan_update(*, plan: ActionPlan, actor: Any, now: datetime, **fields: Any) -> ActionPlan:
    """Change an action plan (its status as work goes on, the day it took effect, ...)."""
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    for name in ACTION_PLAN_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.keyword = locked.keyword.strip().lower()
    _check_plan(
        category=locked.category,
        title=locked.title,
        what_changes=locked.what_changes,
        status=locked.status,
    )
    locked.updated_at = now
    locked.save()
    return locked


# --- The report sweep ---------------------------------------------------------------------------
# Alerts: the current month so far, per category: below the target (once it has
# FEEDBACK_ALERT_MIN_RESPONSES answers) or its issues rising sharply against the same number of days
# at the start of the previous month (FEEDBACK_RISING_FACTOR, at least FEEDBACK_RISING_MIN_ISSUES).
# Each goes to the category's owners, once per (kind, month, category): the ReportDispatch row is
# written first, in a savepoint, so a second sweep, or two at once, finds it and sends nothing.
# Reports: the previous month's on the month's first working day (Monday to Friday, UTC), the
# previous quarter's on the first working day after it ends, to support and the moderators.

REPORT_GROUPS = ("support", "moderator")


def first_working_day(day: date) -> date:
    """The first Monday-to-Friday day of ``day``'s month."""
    first = day.replace(day=1)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    return first


def _claim_dispatch(*, kind: str, period: str, category: str, now: datetime) -> bool:
    """Write the dispatch row; False if it exists (sent already, or by a sweep running now)."""
    try:
        with transaction.atomic():
            ReportDispatch.objects.create(kind=kind, period=period, category=category, created_at=now)
    except IntegrityError:
        return False
    return True


def _report_url(period: Period) -> str:
    return f"{reverse('admin:feedback_report')}?{urlencode({'period': period.label})}"


def _report_recipients() -> list[Any]:
    return list(
        get_user_model().objects.filter(is_active=True, groups__name__in=REPORT_GROUPS).distinct().order_by("pk")
    )


def _send_report(*, kind: str, period: Period, now: datetime) -> int:
    with transaction.atomic():
        if not _claim_dispatch(kind=kind, period=period.label, category="", now=now):
            return 0
        report = feedback_report(period, now=now)
        title_kind = "Monthly" if kind == ReportKind.MONTHLY else "Quarterly"
        csat = report.csat.overall
        target = percent_text(report.csat.target_pct)
        title = f"{title_kind} CSAT report {period.label}: {percent_text(csat.csat_pct)} (target {target})"
        body = render_to_string(
            "feedback/email/report.txt",
            {
                "kind": title_kind.lower(),
                "period": period,
                "report": report,
                "overall": csat,
                "csat": percent_text(csat.csat_pct),
                "previous": percent_text(csat.previous_pct),
                "target": percent_text(report.csat.target_pct),
                "change": "—" if csat.change_pts is None else f"{csat.change_pts:+} pts",
                "categories": [
                    {
                        "label": row.label,
                        "csat": percent_text(row.csat_pct),
                        "responses": row.current.responses,
                        "below": row.meets_target is False,
                    }
                    for row in report.csat.by["category"]
                ],
                "rate": percent_text(report.response_rate.rate_pct),
            },
        ).strip()
        sent = notify(
            recipients=_report_recipients(), kind=Kind.CSAT_REPORT, title=title, body=body, link=_report_url(period)
        )
        return len(sent)


def _alerts(*, now: datetime) -> int:
    today = now.astimezone(UTC)
    month = month_period(today.year, today.month)
    so_far = Period(label=month.label, start=month.start, end=now)
    before = previous_period(month)
    previous_so_far = Period(
        label=before.label, start=before.start, end=min(before.start + (now - month.start), before.end)
    )
    below = [
        row
        for row in csat_breakdown(so_far, "category", previous=previous_so_far)
        if row.key and row.current.responses >= settings.FEEDBACK_ALERT_MIN_RESPONSES and row.meets_target is False
    ]
    rising = [
        row for row in issue_frequency(so_far, previous=previous_so_far) if row.category and row.is_rising_sharply
    ]
    if not below and not rising:
        return 0
    owners: dict[str, list[Any]] = {}
    for owner in CategoryOwner.objects.select_related("user").order_by("pk"):
        owners.setdefault(owner.category, []).append(owner.user)
    link = _report_url(month)
    sent = 0
    for row in below:
        with transaction.atomic():
            if not owners.get(row.key) or not _claim_dispatch(
                kind=ReportKind.BELOW_TARGET, period=month.label, category=row.key, now=now
            ):
                continue
            target = percent_text(settings.FEEDBACK_TARGET_PCT)
            title = f"{row.label}: CSAT {percent_text(row.csat_pct)} this month, below the {target} target"
            body = render_to_string(
                "feedback/email/report_alert.txt",
                {
                    "kind": "below_target",
                    "label": row.label,
                    "month": month,
                    "row": row,
                    "csat": percent_text(row.csat_pct),
                    "target": percent_text(settings.FEEDBACK_TARGET_PCT),
                    "previous": percent_text(row.previous_pct),
                },
            ).strip()
            sent += len(notify(recipients=owners[row.key], kind=Kind.CSAT_ALERT, title=title, body=body, link=link))
    for issue in rising:
        with transaction.atomic():
            if not owners.get(issue.category) or not _claim_dispatch(
                kind=ReportKind.RISING, period=month.label, category=issue.category, now=now
            ):
                continue
            title = f"{issue.label}: {issue.total} issues this month so far, up from {issue.previous_total}"
            body = render_to_string(
                "feedback/email/report_alert.txt",
                {"kind": "rising", "label": issue.label, "month": month, "issue": issue},
            ).strip()
            sent += len(
                notify(recipients=owners[issue.category], kind=Kind.CSAT_ALERT, title=title, body=body, link=link)
            )
    return sent


def feedback_reports_send(*, now: datetime) -> dict[str, int]:
    """The report sweep: alerts to category owners, and the monthly / quarterly report when due.
    Safe to run any number of times, at once too: every message has its dispatch row."""
    today = now.astimezone(UTC)
    summary = {"alerts": _alerts(now=now), "monthly": 0, "quarterly": 0}
    if today.date() >= first_working_day(today.date()):
        this_month = month_period(today.year, today.month)
        summary["monthly"] = _send_report(kind=ReportKind.MONTHLY, period=previous_period(this_month), now=now)
        this_quarter = quarter_of(today)
        if today.date() >= first_working_day(this_quarter.start.date()) and today.month == this_quarter.start.month:
            summary["quarterly"] = _send_report(
                kind=ReportKind.QUARTERLY, period=previous_period(this_quarter), now=now
            )
    return summary
