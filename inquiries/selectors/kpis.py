"""Response-time KPIs: one definition used by the dashboard, the API, the CSV export, the console,
standing and the benchmarks.

The rule (also in the README, "Response KPIs"): an inquiry counts in the period it *opened*
(``awaiting_since``, half-open UTC range ``[start, end)``).

- Excluded inquiries ("no response needed") are left out (reported separately as ``excluded``).
- An inquiry still open and not yet due is left out of the denominator until it is answered or
  falls due — it has not had its chance yet.
- An inquiry closed by the buyer before its deadline without an answer is left out too; one closed
  after its deadline counts as missed.

Of the counted inquiries:

- ``answered``: answered by the seller or by staff;
- ``answered_within_target``: answered by the seller within the target (``is_within_target``);
  a staff answer is never within the seller's target;
- ``escalated``: escalated by the sweep (``escalated_at`` set) or answered by staff;
- ``within_target_pct`` = answered_within_target / inquiries * 100, rounded half-up to 2 places,
  ``None`` when nothing counts; ``meets_target`` compares it with ``INQUIRIES_TARGET_PCT``;
- average and median first response time: over the answered ones (seller or staff), in whole
  seconds rounded half-up.

Aggregates run in SQL (``COUNT(...) FILTER (WHERE ...)``); the median uses PostgreSQL's
``percentile_cont`` and, on SQLite (the embedded default), one extra query and Python's median.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from core.figures import Median, percentage
from core.figures import median as _median
from core.figures import median_in_sql as _median_in_sql
from core.figures import whole_seconds as _whole_seconds
from inquiries.models import Inquiry, InquiryStatus

MEDIAN_WINDOW = timedelta(days=90)
ANSWERED_STATUSES = (InquiryStatus.ANSWERED, InquiryStatus.ANSWERED_BY_STAFF)


def seller_median_first_response_seconds(*, seller_id: int, now: datetime) -> float | None:
    """The seller's median first response time over the last 90 days (seller answers only)."""
    seconds = list(
        Inquiry.objects.filter(
            seller_id=seller_id,
            status=InquiryStatus.ANSWERED,
            answered_at__gte=now - MEDIAN_WINDOW,
        )
        .order_by()
        .values_list("first_response_seconds", flat=True)[:5000]
    )
    return _median(value for value in seconds if value is not None)


def counted_inquiries_q(*, now: datetime) -> Q:
    """Inquiries that count in a KPI denominator at ``now`` (see the module docstring)."""
    return (
        ~Q(status=InquiryStatus.EXCLUDED)
        & ~Q(status=InquiryStatus.OPEN, response_due_at__gt=now)
        & ~Q(status=InquiryStatus.CLOSED, closed_at__lte=F("response_due_at"))
    )


def answered_q() -> Q:
    return Q(status__in=ANSWERED_STATUSES)


def escalated_q() -> Q:
    """Escalated by the sweep or answered by staff. A stopped inquiry keeps its escalation in the
    ledger (``escalated_at``); an open one has it on its clock only (the sweep writes nothing else)."""
    return (
        Q(escalated_at__isnull=False)
        | Q(status=InquiryStatus.ANSWERED_BY_STAFF)
        | Q(status=InquiryStatus.OPEN, clock__escalated_at__isnull=False)
    )


@dataclass(frozen=True)
class ResponseMetrics:
    inquiries: int
    answered: int
    answered_within_target: int
    within_target_pct: Decimal | None
    average_first_response_seconds: int | None
    median_first_response_seconds: int | None
    escalated: int
    excluded: int
    target_pct: Decimal
    meets_target: bool | None

    @property
    def missed(self) -> int:
        """Counted inquiries not answered by the seller within the target."""
        return self.inquiries - self.answered_within_target


@dataclass(frozen=True)
class MonthResponseMetrics:
    """One month of ``monthly_series``: ``month`` is its first day, ``label`` e.g. ``2026-11``."""

    month: date
    label: str
    start: datetime
    end: datetime
    metrics: ResponseMetrics


def within_target_pct(*, answered_within_target: int, inquiries: int) -> Decimal | None:
    return percentage(answered_within_target, inquiries)


def _aggregates(*, now: datetime) -> dict[str, Any]:
    counted = counted_inquiries_q(now=now)
    figures: dict[str, Any] = {
        "inquiries": Count("id", filter=counted),
        "answered": Count("id", filter=counted & answered_q()),
        "answered_within_target": Count("id", filter=counted & Q(is_within_target=True)),
        "escalated": Count("id", filter=counted & escalated_q()),
        "excluded": Count("id", filter=Q(status=InquiryStatus.EXCLUDED)),
        "average_seconds": Avg("first_response_seconds", filter=counted & answered_q()),
    }
    if _median_in_sql():
        figures["median_seconds"] = Median("first_response_seconds", filter=counted & answered_q())
    return figures


def _build(row: dict[str, Any], *, median_seconds: float | None = None) -> ResponseMetrics:
    target = Decimal(settings.INQUIRIES_TARGET_PCT)
    inquiries = int(row.get("inquiries") or 0)
    within = int(row.get("answered_within_target") or 0)
    pct = within_target_pct(answered_within_target=within, inquiries=inquiries)
    median = row.get("median_seconds", median_seconds)
    return ResponseMetrics(
        inquiries=inquiries,
        answered=int(row.get("answered") or 0),
        answered_within_target=within,
        within_target_pct=pct,
        average_first_response_seconds=_whole_seconds(row.get("average_seconds")),
        median_first_response_seconds=_whole_seconds(median),
        escalated=int(row.get("escalated") or 0),
        excluded=int(row.get("excluded") or 0),
        target_pct=target,
        meets_target=None if pct is None else pct >= target,
    )


def empty_metrics() -> ResponseMetrics:
    return _build({})


def inquiries_opened_in(*, seller_id: int | None, start: datetime, end: datetime) -> QuerySet[Inquiry]:
    """Inquiries opened in ``[start, end)``, of one seller or (``None``) platform-wide."""
    queryset = Inquiry.objects.filter(awaiting_since__gte=start, awaiting_since__lt=end)
    if seller_id is not None:
        queryset = queryset.filter(seller_id=seller_id)
    return queryset.order_by()


def _answered_seconds(queryset: QuerySet[Inquiry], *, now: datetime) -> QuerySet[Inquiry]:
    """The rows the median is taken over (the SQLite fallback reads them)."""
    return queryset.filter(counted_inquiries_q(now=now) & answered_q(), first_response_seconds__isnull=False)


def response_metrics(*, seller_id: int | None, start: datetime, end: datetime, now: datetime) -> ResponseMetrics:
    """The figures of inquiries opened in ``[start, end)``; ``seller_id`` None: platform-wide.
    One query on PostgreSQL (two on SQLite, for the median)."""
    queryset = inquiries_opened_in(seller_id=seller_id, start=start, end=end)
    row = queryset.aggregate(**_aggregates(now=now))
    if _median_in_sql():
        return _build(row)
    seconds = _answered_seconds(queryset, now=now).values_list("first_response_seconds", flat=True)
    return _build(row, median_seconds=_median([value for value in seconds if value is not None]))


def response_metrics_by_seller(
    *, seller_ids: Iterable[int] | None, start: datetime, end: datetime, now: datetime
) -> dict[int, ResponseMetrics]:
    """The figures of every seller with inquiries opened in ``[start, end)`` in one grouped query
    (``seller_ids`` None: all sellers). Sellers without inquiries are absent: use ``empty_metrics``."""
    queryset = inquiries_opened_in(seller_id=None, start=start, end=end)
    if seller_ids is not None:
        queryset = queryset.filter(seller_id__in=list(seller_ids))
    rows = cast(
        list[dict[str, Any]], list(queryset.values("seller_id").annotate(**_aggregates(now=now)).order_by("seller_id"))
    )
    if _median_in_sql():
        return {row["seller_id"]: _build(row) for row in rows}
    seconds: dict[int, list[int]] = defaultdict(list)
    for seller_id, value in _answered_seconds(queryset, now=now).values_list("seller_id", "first_response_seconds"):
        if value is not None:
            seconds[seller_id].append(value)
    return {row["seller_id"]: _build(row, median_seconds=_median(seconds[row["seller_id"]])) for row in rows}


def month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def add_months(start: datetime, months: int) -> datetime:
    index = start.year * 12 + (start.month - 1) + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)


def monthly_series(*, seller_id: int | None, months: int = 6, now: datetime) -> list[MonthResponseMetrics]:
    """The last ``months`` calendar months (UTC) up to and including the current one, oldest first,
    for the dashboard chart: one grouped query (``TruncMonth``), months without inquiries as zeros."""
    if months < 1:
        raise ValueError("months must be at least 1")
    current = month_start(now)
    first = add_months(current, -(months - 1))
    end = add_months(current, 1)
    queryset = inquiries_opened_in(seller_id=seller_id, start=first, end=end).annotate(
        opened_month=TruncMonth("awaiting_since", tzinfo=UTC)
    )
    rows = cast(
        list[dict[str, Any]],
        list(queryset.values("opened_month").annotate(**_aggregates(now=now)).order_by("opened_month")),
    )
    by_month: dict[tuple[int, int], dict[str, Any]] = {_month_key(row["opened_month"]): row for row in rows}
    seconds: dict[tuple[int, int], list[int]] = defaultdict(list)
    if not _median_in_sql():
        for opened, value in _answered_seconds(queryset, now=now).values_list(
            "awaiting_since", "first_response_seconds"
        ):
            if value is not None:
                seconds[_month_key(opened)].append(value)
    series = []
    for offset in range(months):
        start = add_months(first, offset)
        key = (start.year, start.month)
        row = by_month.get(key, {})
        median = None if _median_in_sql() else _median(seconds[key])
        series.append(
            MonthResponseMetrics(
                month=start.date(),
                label=f"{start:%Y-%m}",
                start=start,
                end=add_months(start, 1),
                metrics=_build(row, median_seconds=median),
            )
        )
    return series


def _month_key(value: datetime | date) -> tuple[int, int]:
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
    return (value.year, value.month)


# --- Figures behind the standing tips ----------------------------------------------------------

# Business hours for the "after hours" tip: 08:00-20:00 UTC, Monday to Friday.
BUSINESS_HOURS = (8, 20)


def after_hours_q() -> Q:
    opening, closing = BUSINESS_HOURS
    return (
        Q(awaiting_since__hour__lt=opening)
        | Q(awaiting_since__hour__gte=closing)
        | Q(awaiting_since__iso_week_day__gte=6)
    )


@dataclass(frozen=True)
class MissedBreakdown:
    """Of a seller's counted inquiries not answered within target: how many opened after hours."""

    missed: int
    missed_after_hours: int
    after_hours: int


def missed_breakdown_by_seller(
    *, seller_ids: Iterable[int] | None, start: datetime, end: datetime, now: datetime
) -> dict[int, MissedBreakdown]:
    """One grouped query: per seller, missed inquiries and how many of them (and of all counted
    ones) opened outside business hours (``BUSINESS_HOURS``, UTC, weekends after hours)."""
    counted = counted_inquiries_q(now=now)
    missed = counted & ~Q(is_within_target=True)
    queryset = inquiries_opened_in(seller_id=None, start=start, end=end)
    if seller_ids is not None:
        queryset = queryset.filter(seller_id__in=list(seller_ids))
    rows = queryset.values("seller_id").annotate(
        missed=Count("id", filter=missed),
        missed_after_hours=Count("id", filter=missed & after_hours_q()),
        after_hours=Count("id", filter=counted & after_hours_q()),
    )
    return {
        row["seller_id"]: MissedBreakdown(
            missed=row["missed"], missed_after_hours=row["missed_after_hours"], after_hours=row["after_hours"]
        )
        for row in rows.order_by("seller_id")
    }
