"""Response-time KPIs: one definition used by the dashboard, the API, the CSV export, the console,
standing and the benchmarks.

The rule (also in the README, "Response KPIs"): an inquiry counts in the period it *opened*
(``awaiting_since``, half-open UTC range ``[start, end)``).

- Excluded inquiries ("no response needed") are left out (reported separately as ``excluded``).
- An inquiry opened while its buyer already had ``INQUIRIES_KPI_OPEN_PER_BUYER`` (3) inquiries
  waiting at the seller (``is_over_open_limit``, decided when it opens) is left out: one buyer's
  flood counts as its first few questions, until the seller answers them.
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

How the figures are computed: every condition of the rule above is one ``Q`` (``counted_inquiries_q``,
``answered_q``, ``escalated_q``, ...), used as such by the CSV export and compiled once by the ORM
into SQL for the figures, so the figures and the export cannot drift apart and a condition is
redefined in one place. The statements around them are written out once per shape (one seller or
the platform; no grouping, per seller, per month) and cached: building seven filtered aggregates
through the ORM on every call cost more than running them. Each statement computes a row's
verdicts once (counted, answered, ...) and aggregates them with ``COUNT(*) FILTER (WHERE ...)``;
the median is PostgreSQL's ``percentile_cont`` and, on SQLite (the embedded default), one extra
statement and Python's median. The seller dashboard's months and quarters (``calendar_figures``)
are one statement by month, its quarters added up from their months. On PostgreSQL the rows are read from
covering indexes (migration ``0003``): a seller's by ``(seller, awaiting_since)``; the platform's in
two parts, finished inquiries by opening time and open ones by due time, because an open inquiry not
yet due counts in no figure and a month can hold hundreds of thousands of them.
"""

import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone

from core.figures import median as _median
from core.figures import median_in_sql as _median_in_sql
from core.figures import percentage
from core.figures import whole_seconds as _whole_seconds
from core.periods import quarter_of
from core.sql import db_datetime, execute, ids_in, table
from inquiries.models import Inquiry, InquiryClock, InquiryStatus

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
    known = [value for value in seconds if value is not None]
    return float(statistics.median(known)) if known else None


# --- The rule, one condition each ----------------------------------------------------------------


def counted_inquiries_q(*, now: datetime) -> Q:
    """Inquiries that count in a KPI denominator at ``now`` (see the module docstring)."""
    return (
        ~Q(status=InquiryStatus.EXCLUDED)
        & Q(is_over_open_limit=False)
        & ~Q(status=InquiryStatus.OPEN, response_due_at__gt=now)
        & ~Q(status=InquiryStatus.CLOSED, closed_at__lte=F("response_due_at"))
    )


def answered_q() -> Q:
    return Q(status__in=ANSWERED_STATUSES)


def within_target_q() -> Q:
    """Answered by the seller within the target (set when the answer is posted)."""
    return Q(is_within_target=True)


def escalated_q() -> Q:
    """Escalated by the sweep or answered by staff. The one definition of "escalated" in the
    figures, the CSV export and the standing tips (a condition on the inquiry row; another table
    only through a subquery looked up by the inquiry's id, which the figures' indexes include).

    A stopped inquiry keeps its escalation in the ledger (``escalated_at``, copied when it stops);
    an open one has it on its clock only, which is all the sweep writes (``InquiryClock``). That
    look-up is a scalar subquery, not ``Exists``: PostgreSQL may run an ``EXISTS`` as one hash of
    every running escalated clock on the platform (35,000 index entries to read for one seller's
    hundred open inquiries: 20 ms), a scalar subquery only for the open rows that reach it, each one
    probe of the small partial index ``inq_clock_open_escalated_idx``."""
    open_clock = InquiryClock.objects.filter(
        inquiry_id=OuterRef("pk"), escalated_at__isnull=False, stopped_at__isnull=True
    ).values("inquiry_id")[:1]
    return (
        Q(escalated_at__isnull=False)
        | Q(status=InquiryStatus.ANSWERED_BY_STAFF)
        | (Q(status=InquiryStatus.OPEN) & Q(IsNull(Subquery(open_clock), False)))
    )


def excluded_q() -> Q:
    return Q(status=InquiryStatus.EXCLUDED)


# Every inquiry that counts or is excluded is in one of these two disjoint sets; an open inquiry
# not yet due is in neither (it counts in no figure). The figures read only these rows, each set
# from the partial index made for it (``inq_finished_figures_idx``, ``inq_open_figures_idx``).
def finished_q() -> Q:
    return ~Q(status=InquiryStatus.OPEN)


def open_and_due_q(*, now: datetime) -> Q:
    return Q(status=InquiryStatus.OPEN, response_due_at__lte=now)


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


@dataclass(frozen=True)
class MissedBreakdown:
    """Of a seller's counted inquiries not answered within target: how many opened after hours."""

    missed: int
    missed_after_hours: int
    after_hours: int


NO_MISSES = MissedBreakdown(missed=0, missed_after_hours=0, after_hours=0)


@dataclass(frozen=True)
class PeriodFigures:
    """A period's figures and, of its counted inquiries, the missed / after-hours breakdown."""

    metrics: ResponseMetrics
    missed: MissedBreakdown


def within_target_pct(*, answered_within_target: int, inquiries: int) -> Decimal | None:
    return percentage(answered_within_target, inquiries)


def _metrics(
    *,
    inquiries: int,
    answered: int,
    answered_within_target: int,
    escalated: int,
    excluded: int,
    average_seconds: int | None,
    median_seconds: int | None,
) -> ResponseMetrics:
    target = Decimal(settings.INQUIRIES_TARGET_PCT)
    pct = within_target_pct(answered_within_target=answered_within_target, inquiries=inquiries)
    return ResponseMetrics(
        inquiries=inquiries,
        answered=answered,
        answered_within_target=answered_within_target,
        within_target_pct=pct,
        average_first_response_seconds=average_seconds,
        median_first_response_seconds=median_seconds,
        escalated=escalated,
        excluded=excluded,
        target_pct=target,
        meets_target=None if pct is None else pct >= target,
    )


def _build(row: dict[str, Any], *, median_seconds: float | None = None) -> ResponseMetrics:
    """The figures from a statement's row (``AVG``, and the median in SQL or given)."""
    average = row.get("average_seconds")
    return _metrics(
        inquiries=int(row.get("inquiries") or 0),
        answered=int(row.get("answered") or 0),
        answered_within_target=int(row.get("answered_within_target") or 0),
        escalated=int(row.get("escalated") or 0),
        excluded=int(row.get("excluded") or 0),
        # As the ORM's Avg gave it (a float: PostgreSQL's numeric average converted), so the rounding
        # to whole seconds sees the same value as before.
        average_seconds=_whole_seconds(None if average is None else float(average)),
        median_seconds=_whole_seconds(row.get("median_seconds", median_seconds)),
    )


def _missed(row: dict[str, Any]) -> MissedBreakdown:
    return MissedBreakdown(
        missed=int(row.get("missed") or 0),
        missed_after_hours=int(row.get("missed_after_hours") or 0),
        after_hours=int(row.get("after_hours") or 0),
    )


def empty_metrics() -> ResponseMetrics:
    return _build({})


def inquiries_opened_in(*, seller_id: int | None, start: datetime, end: datetime) -> QuerySet[Inquiry]:
    """Inquiries opened in ``[start, end)``, of one seller or (``None``) platform-wide."""
    queryset = Inquiry.objects.filter(awaiting_since__gte=start, awaiting_since__lt=end)
    if seller_id is not None:
        queryset = queryset.filter(seller_id=seller_id)
    return queryset.order_by()


# --- The statements, built once per shape ----------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """A parameter of a cached statement filled in by each call (``now``, the range, the seller)."""

    name: str


NOW, START, END, SELLER, SELLER_IDS, MONTH_STARTS, MONTH_ENDS = (
    _Slot(name) for name in ("now", "start", "end", "seller", "seller_ids", "month_starts", "month_ends")
)

# Stands for ``now`` while a condition is compiled, and is replaced by the call's ``now``.
_NOW_STAND_IN = datetime(1999, 12, 31, 23, 59, 58, 987654, tzinfo=UTC)


@dataclass(frozen=True)
class _Sql:
    """SQL text with its parameters in order (values, or slots filled in per call)."""

    text: str
    params: tuple[Any, ...] = ()

    def __add__(self, other: "_Sql | str") -> "_Sql":
        if isinstance(other, str):
            return _Sql(self.text + other, self.params)
        return _Sql(self.text + other.text, self.params + other.params)

    def __radd__(self, other: str) -> "_Sql":
        return _Sql(other + self.text, self.params)

    @staticmethod
    def join(separator: str, parts: Iterable["_Sql | str"]) -> "_Sql":
        result = _Sql("")
        for index, part in enumerate(parts):
            result = result + (separator if index else "") + part
        return result


def _condition(q: Q) -> _Sql:
    """``q`` compiled by the ORM into a condition on the ``inquiries_inquiry`` row, ``now`` a slot."""
    query = Inquiry.objects.filter(q).query
    compiler = query.get_compiler(connection=connection)
    text, params = compiler.compile(query.where)
    if set(query.alias_map) - {Inquiry._meta.db_table}:
        # The statements read one table; a join would multiply rows. A subquery keeps it one row each.
        raise ValueError(f"A KPI condition must be on the inquiry row itself (use a subquery for other tables): {q}")
    stand_in = connection.ops.adapt_datetimefield_value(_NOW_STAND_IN)
    return _Sql(f"({text})", tuple(NOW if value == stand_in else value for value in params))


_PLACEHOLDER = re.compile(r"%%|%s")


def _inline_constants(sql: _Sql) -> _Sql:
    """``sql`` with every parameter that is not a slot quoted into the text (PostgreSQL's own
    quoting, ``compose_sql``); a literal ``%`` stays doubled for the driver's formatting."""
    params = iter(sql.params)
    slots: list[Any] = []

    def replace(match: re.Match[str]) -> str:
        if match.group() == "%%":
            return "%%"
        param = next(params)
        if isinstance(param, _Slot):
            slots.append(param)
            return "%s"
        return str(connection.ops.compose_sql("%s", [param])).replace("%", "%%")  # type: ignore[attr-defined]

    text = _PLACEHOLDER.sub(replace, sql.text)
    return _Sql(text, tuple(slots))


@dataclass(frozen=True)
class _Statement:
    sql: _Sql
    keys: int  # leading key columns of each row (the seller, or the month)
    columns: tuple[str, ...]  # the figures after them

    def __post_init__(self) -> None:
        if connection.vendor == "postgresql":
            # The conditions' constants (statuses, hours) written into the text once, as the driver
            # would quote them on every call: only the call's values stay parameters.
            object.__setattr__(self, "sql", _inline_constants(self.sql))

    def run(self, values: dict[str, Any]) -> list[tuple[Any, ...]]:
        params = [values[param.name] if isinstance(param, _Slot) else param for param in self.sql.params]
        return execute(self.sql.text, params)

    def rows(self, values: dict[str, Any]) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        return [(row[: self.keys], dict(zip(self.columns, row[self.keys :], strict=True))) for row in self.run(values)]


_COUNTS = ("inquiries", "answered", "answered_within_target", "escalated", "excluded")
_MISSES = ("missed", "missed_after_hours", "after_hours")


def _rows_sql(
    *, scope: str, read_counting_only: bool, with_missed: bool, opened_in: tuple[str, str] = ("%s", "%s")
) -> _Sql:
    """The inquiries of the range (and seller) with their verdicts, one row each. The verdicts are
    computed once per row (PostgreSQL's ``OFFSET 0`` keeps the subquery from being merged into
    the aggregates, which would evaluate each condition again in every ``FILTER``). The range is
    the ``start`` and ``end`` slots, or the SQL of ``opened_in`` (a lateral month's bounds)."""
    inquiry = table(Inquiry)
    column = f"{inquiry}.{{}}".format
    counted = _condition(counted_inquiries_q(now=_NOW_STAND_IN))
    verdicts = [
        _Sql(f"{column('awaiting_since')} AS awaiting_since, {column('seller_id')} AS seller_id, ")
        + _Sql(f"{column('first_response_seconds')} AS seconds"),
        counted + " AS counted",
        _condition(answered_q()) + " AS answered",
        _condition(within_target_q()) + " AS within_target",
        _condition(escalated_q()) + " AS escalated",
        _condition(excluded_q()) + " AS excluded",
    ]
    if with_missed:
        verdicts += [
            _condition(~within_target_q()) + " AS not_within_target",
            _condition(after_hours_q()) + " AS after_hours",
        ]
    first, after = opened_in
    where = _Sql(
        f" WHERE {column('awaiting_since')} >= {first} AND {column('awaiting_since')} < {after}",
        (START, END) if opened_in == ("%s", "%s") else (),
    )
    if scope == "seller":
        where += _Sql(f" AND {column('seller_id')} = %s", (SELLER,))
    elif scope == "sellers":
        text, _ = ids_in(column("seller_id"), [])
        where += _Sql(f" AND {text}", (SELLER_IDS,))
    select = "SELECT " + _Sql.join(", ", verdicts) + f" FROM {inquiry}" + where  # noqa: S608 (names from metadata)
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    finished, open_and_due = _condition(finished_q()), _condition(open_and_due_q(now=_NOW_STAND_IN))
    if not read_counting_only:
        return select + fence
    if scope == "seller":
        # One seller's rows are few and all in one index range: one scan, the others filtered out.
        return select + " AND (" + finished + " OR " + open_and_due + ")" + fence
    if connection.vendor != "postgresql":
        return select + " AND " + finished + " UNION ALL " + select + " AND " + open_and_due
    return "(" + select + " AND " + finished + fence + ") UNION ALL (" + select + " AND " + open_and_due + fence + ")"


def _aggregates_sql(*, with_missed: bool, tally: bool) -> tuple[str, tuple[str, ...]]:
    """The aggregates and their names. ``tally``: the first response times themselves instead of
    ``AVG`` and the median, so that months can be added up into quarters (``_Tally``)."""
    answered = "FILTER (WHERE inquiry.counted AND inquiry.answered)"
    aggregates = [
        "COUNT(*) FILTER (WHERE inquiry.counted)",
        f"COUNT(*) {answered}",
        "COUNT(*) FILTER (WHERE inquiry.counted AND inquiry.within_target)",
        "COUNT(*) FILTER (WHERE inquiry.counted AND inquiry.escalated)",
        "COUNT(*) FILTER (WHERE inquiry.excluded)",
    ]
    columns: tuple[str, ...] = _COUNTS
    if tally:
        if _median_in_sql():  # SQLite: the times come from a second statement
            aggregates.append(
                "ARRAY_AGG(inquiry.seconds) FILTER (WHERE inquiry.counted AND inquiry.answered"
                " AND inquiry.seconds IS NOT NULL)"
            )
            columns += ("seconds",)
    else:
        aggregates.append(f"AVG(inquiry.seconds) {answered}")
        columns += ("average_seconds",)
        if _median_in_sql():
            aggregates.append(f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY inquiry.seconds) {answered}")
            columns += ("median_seconds",)
    if with_missed:
        aggregates += [
            "COUNT(*) FILTER (WHERE inquiry.counted AND inquiry.not_within_target)",
            "COUNT(*) FILTER (WHERE inquiry.counted AND inquiry.not_within_target AND inquiry.after_hours)",
            "COUNT(*) FILTER (WHERE inquiry.counted AND inquiry.after_hours)",
        ]
        columns += _MISSES
    return ", ".join(aggregates), columns


def _month_sql() -> str:
    if connection.vendor == "postgresql":
        return "DATE_TRUNC('month', inquiry.awaiting_since AT TIME ZONE 'UTC')"
    return "SUBSTR(inquiry.awaiting_since, 1, 7)"  # stored as UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]'


@cache
def _statement(
    vendor: str, time_zone: str, *, scope: str, grouping: str, read_counting_only: bool, with_missed: bool
) -> _Statement:
    """The figures' statement of one shape; ``vendor`` and ``time_zone`` (the hour of the day in
    ``after_hours_q`` is in the current time zone, as the ORM compiles it) key the cache.

    ``grouping``: ``none`` (one row), ``seller`` (seller_id, figures), ``month`` (month, figures)
    or ``month_tally`` (month, additive figures: ``_Tally``)."""
    rows = _rows_sql(scope=scope, read_counting_only=read_counting_only, with_missed=with_missed)
    aggregates, columns = _aggregates_sql(with_missed=with_missed, tally=grouping == "month_tally")
    source = " FROM (" + rows + ") AS inquiry"
    if grouping == "none":
        return _Statement(f"SELECT {aggregates}" + source, keys=0, columns=columns)
    if grouping == "seller":
        return _Statement(
            f"SELECT inquiry.seller_id, {aggregates}" + source + " GROUP BY inquiry.seller_id", 1, columns
        )
    if grouping == "month":
        return _Statement(f"SELECT {_month_sql()}, {aggregates}" + source + " GROUP BY 1", 1, columns)
    if grouping != "month_tally":
        raise ValueError(f"unknown grouping {grouping!r}")
    if connection.vendor != "postgresql":
        return _Statement(f"SELECT {_month_sql()}, {aggregates}" + source + " GROUP BY 1", 1, columns)
    # PostgreSQL: each month aggregated on its own over its own range of the index, one after the
    # other (a lateral join), instead of computing every row's month and sorting the rows by it.
    month_rows = _rows_sql(
        scope=scope,
        read_counting_only=read_counting_only,
        with_missed=with_missed,
        opened_in=("month.start", "month.stop"),
    )
    months = _Sql(
        "SELECT month.number, figures.* FROM UNNEST(%s::timestamptz[], %s::timestamptz[])"
        " WITH ORDINALITY AS month(start, stop, number) CROSS JOIN LATERAL (",
        (MONTH_STARTS, MONTH_ENDS),
    )
    figures = f"SELECT {aggregates} FROM ("  # noqa: S608 (aggregates written above)
    sql = months + figures + month_rows + ") AS inquiry) AS figures"
    return _Statement(sql, 1, columns)


@cache
def _seconds_statement(vendor: str, time_zone: str, *, scope: str, read_counting_only: bool) -> _Statement:
    """SQLite: the answered inquiries' first response times the medians are taken over."""
    rows = _rows_sql(scope=scope, read_counting_only=read_counting_only, with_missed=False)
    sql = (
        "SELECT inquiry.awaiting_since, inquiry.seller_id, inquiry.seconds FROM ("  # noqa: S608
        + rows
        + ") AS inquiry WHERE inquiry.counted AND inquiry.answered AND inquiry.seconds IS NOT NULL"
    )
    return _Statement(sql, keys=2, columns=("seconds",))


def _shape() -> tuple[str, str]:
    return connection.vendor, timezone.get_current_timezone_name()


def _values(
    *, start: datetime, end: datetime, now: datetime, seller_id: int | None = None, seller_ids: list[int] | None = None
) -> dict[str, Any]:
    values = {"start": db_datetime(start), "end": db_datetime(end), "now": db_datetime(now), "seller": seller_id}
    if seller_ids is not None:
        values["seller_ids"] = ids_in("seller_id", seller_ids)[1][0]
    return values


def _scope(seller_id: int | None) -> str:
    return "platform" if seller_id is None else "seller"


def _seconds_by(
    key: Callable[[Any, int], Any], *, scope: str, read_counting_only: bool, values: dict[str, Any]
) -> dict[Any, list[int]]:
    """SQLite: the first response times of the answered inquiries, by ``key(opened, seller_id)``."""
    statement = _seconds_statement(*_shape(), scope=scope, read_counting_only=read_counting_only)
    seconds: dict[Any, list[int]] = defaultdict(list)
    for (opened, seller_id), row in statement.rows(values):
        seconds[key(opened, seller_id)].append(row["seconds"])
    return seconds


# --- The figures ------------------------------------------------------------------------------------


def response_metrics(*, seller_id: int | None, start: datetime, end: datetime, now: datetime) -> ResponseMetrics:
    """The figures of inquiries opened in ``[start, end)``; ``seller_id`` None: platform-wide.
    One query on PostgreSQL (two on SQLite, for the median)."""
    scope = _scope(seller_id)
    statement = _statement(*_shape(), scope=scope, grouping="none", read_counting_only=True, with_missed=False)
    values = _values(start=start, end=end, now=now, seller_id=seller_id)
    [(_, row)] = statement.rows(values)
    if _median_in_sql():
        return _build(row)
    seconds = _seconds_by(lambda opened, seller: None, scope=scope, read_counting_only=True, values=values)
    return _build(row, median_seconds=_median(seconds[None]))


def response_metrics_by_seller(
    *, seller_ids: Iterable[int] | None, start: datetime, end: datetime, now: datetime
) -> dict[int, ResponseMetrics]:
    """The figures of every seller with inquiries opened in ``[start, end)`` in one grouped query
    (``seller_ids`` None: all sellers). Sellers without inquiries are absent: use ``empty_metrics``."""
    ids = None if seller_ids is None else list(seller_ids)
    if ids is not None and not ids:
        return {}
    scope = "platform" if ids is None else "sellers"
    # Every row is read (a seller whose only inquiries are not yet due is present, with zeros).
    statement = _statement(*_shape(), scope=scope, grouping="seller", read_counting_only=False, with_missed=False)
    values = _values(start=start, end=end, now=now, seller_ids=ids)
    rows = statement.rows(values)
    if _median_in_sql():
        return {seller_id: _build(row) for (seller_id,), row in rows}
    seconds = _seconds_by(lambda opened, seller: seller, scope=scope, read_counting_only=False, values=values)
    return {seller_id: _build(row, median_seconds=_median(seconds[seller_id])) for (seller_id,), row in rows}


def missed_breakdown_by_seller(
    *, seller_ids: Iterable[int] | None, start: datetime, end: datetime, now: datetime
) -> dict[int, MissedBreakdown]:
    """One grouped query: per seller, missed inquiries and how many of them (and of all counted
    ones) opened outside business hours (``BUSINESS_HOURS``, UTC, weekends after hours)."""
    ids = None if seller_ids is None else list(seller_ids)
    if ids is not None and not ids:
        return {}
    scope = "platform" if ids is None else "sellers"
    statement = _statement(*_shape(), scope=scope, grouping="seller", read_counting_only=False, with_missed=True)
    rows = statement.rows(_values(start=start, end=end, now=now, seller_ids=ids))
    return {seller_id: _missed(row) for (seller_id,), row in rows}


def month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def add_months(start: datetime, months: int) -> datetime:
    index = start.year * 12 + (start.month - 1) + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)


def _months_between(start: datetime, end: datetime) -> int:
    """Calendar months from ``start`` to ``end`` (both first days of a month)."""
    return (end.year - start.year) * 12 + end.month - start.month


def _month_key(value: datetime | date | str) -> tuple[int, int]:
    """(year, month) of a month as PostgreSQL (a timestamp) or SQLite (``YYYY-MM...`` text) gives it."""
    if isinstance(value, str):
        return int(value[:4]), int(value[5:7])
    return value.year, value.month


def _quarter_key(value: datetime | date | str) -> tuple[int, int]:
    """(year, quarter) of a month or moment, or of a quarter written ``YYYY-Qn``."""
    if isinstance(value, str) and value[5:6] == "Q":
        return int(value[:4]), int(value[6:])
    year, month = _month_key(value)
    return year, (month - 1) // 3 + 1


def _series(
    figures: dict[tuple[int, int], PeriodFigures], *, first: datetime, months: int
) -> list[MonthResponseMetrics]:
    series = []
    for offset in range(months):
        start = add_months(first, offset)
        found = figures.get((start.year, start.month))
        series.append(
            MonthResponseMetrics(
                month=start.date(),
                label=f"{start:%Y-%m}",
                start=start,
                end=add_months(start, 1),
                metrics=found.metrics if found else empty_metrics(),
            )
        )
    return series


def monthly_series(*, seller_id: int | None, months: int = 6, now: datetime) -> list[MonthResponseMetrics]:
    """The last ``months`` calendar months (UTC) up to and including the current one, oldest first,
    for the dashboard chart: one grouped query, months without inquiries as zeros."""
    if months < 1:
        raise ValueError("months must be at least 1")
    current = month_start(now)
    first = add_months(current, -(months - 1))
    scope = _scope(seller_id)
    statement = _statement(*_shape(), scope=scope, grouping="month", read_counting_only=True, with_missed=False)
    values = _values(start=first, end=add_months(current, 1), now=now, seller_id=seller_id)
    rows = statement.rows(values)
    seconds: dict[Any, list[int]] = {}
    if not _median_in_sql():
        seconds = _seconds_by(
            lambda opened, seller: _month_key(opened), scope=scope, read_counting_only=True, values=values
        )
    by_month = {}
    for (month,), row in rows:
        key = _month_key(month)
        median = None if _median_in_sql() else _median(seconds.get(key, []))
        by_month[key] = PeriodFigures(metrics=_build(row, median_seconds=median), missed=_missed(row))
    return _series(by_month, first=first, months=months)


@dataclass
class _Tally:
    """The additive figures of a month, added up into its quarter: the counts, the sum and number
    of the first response times (their average is the sum's share, rounded half-up once) and the
    times themselves (their median, as PostgreSQL's ``percentile_cont(0.5)`` interpolates it)."""

    counts: dict[str, int]
    seconds: list[int]

    @classmethod
    def of(cls, row: dict[str, Any], seconds: list[int]) -> "_Tally":
        return cls(counts={name: int(row[name] or 0) for name in (*_COUNTS, *_MISSES)}, seconds=list(seconds))

    def add(self, other: "_Tally") -> None:
        for name, value in other.counts.items():
            self.counts[name] += value
        self.seconds.extend(other.seconds)

    def figures(self) -> PeriodFigures:
        counts = self.counts
        total, count = sum(self.seconds), len(self.seconds)
        median = _median(self.seconds)
        return PeriodFigures(
            metrics=_metrics(
                inquiries=counts["inquiries"],
                answered=counts["answered"],
                answered_within_target=counts["answered_within_target"],
                escalated=counts["escalated"],
                excluded=counts["excluded"],
                # Exactly: floor(total / count + 1/2), in integers (times are never negative).
                average_seconds=(2 * total + count) // (2 * count) if count else None,
                median_seconds=_whole_seconds(median),
            ),
            missed=_missed(counts),
        )


@dataclass(frozen=True)
class CalendarFigures:
    """The figures of a seller's last months and quarters (UTC), read by one statement (two on
    SQLite): what the seller dashboard shows, its chart and its projected standing."""

    start: datetime
    end: datetime
    first_month: datetime
    series_months: int
    months: dict[tuple[int, int], PeriodFigures]
    quarters: dict[tuple[int, int], PeriodFigures]

    def figures(self, *, start: datetime, end: datetime) -> PeriodFigures:
        """The figures of a calendar month or quarter inside the range read."""
        if not (self.start <= start and end <= self.end):
            raise ValueError(f"{start:%Y-%m-%d}..{end:%Y-%m-%d} is outside the range read, {self.start}..{self.end}")
        empty = PeriodFigures(metrics=empty_metrics(), missed=NO_MISSES)
        if month_start(start) == start and add_months(start, 1) == end:
            return self.months.get(_month_key(start), empty)
        if month_start(start) == start and start.month % 3 == 1 and add_months(start, 3) == end:
            return self.quarters.get(_quarter_key(start), empty)
        raise ValueError(f"{start:%Y-%m-%d}..{end:%Y-%m-%d} is not a calendar month or quarter")

    def metrics(self, *, start: datetime, end: datetime) -> ResponseMetrics:
        return self.figures(start=start, end=end).metrics

    def series(self) -> list[MonthResponseMetrics]:
        """The months asked for, oldest first, as ``monthly_series`` gives them."""
        return _series(self.months, first=self.first_month, months=self.series_months)


def calendar_figures(*, seller_id: int, months: int, quarters: int, now: datetime) -> CalendarFigures:
    """A seller's last ``months`` calendar months and last ``quarters`` calendar quarters up to and
    including the current ones (``now``, UTC), each with its missed / after-hours breakdown: one
    statement grouped by month on PostgreSQL (two on SQLite), the quarters added up from their
    months. For one seller only: the median is taken here over the first response times the
    statement returns (a few thousand a quarter; on PostgreSQL ``percentile_cont`` per month and
    per quarter cost more than the rest of the statement)."""
    if months < 0 or quarters < 0 or not (months or quarters):
        raise ValueError("ask for at least one month or quarter, and no negative number")
    current = month_start(now)
    current_quarter = quarter_of(now)
    first_month = add_months(current, -(months - 1)) if months else current
    starts, ends = [first_month], [add_months(current, 1)]
    if quarters:
        starts.append(add_months(current_quarter.start, -3 * (quarters - 1)))
        ends.append(current_quarter.end)
    start, end = min(starts), max(ends)
    statement = _statement(*_shape(), scope="seller", grouping="month_tally", read_counting_only=True, with_missed=True)
    boundaries = [add_months(start, offset) for offset in range(_months_between(start, end) + 1)]
    values = _values(start=start, end=end, now=now, seller_id=seller_id)
    values |= {"month_starts": boundaries[:-1], "month_ends": boundaries[1:]}
    rows = statement.rows(values)
    seconds: dict[Any, list[int]] = {}
    if not _median_in_sql():
        seconds = _seconds_by(
            lambda opened, seller: _month_key(opened), scope="seller", read_counting_only=True, values=values
        )
    by_month: dict[tuple[int, int], PeriodFigures] = {}
    by_quarter: dict[tuple[int, int], _Tally] = {}
    for (month,), row in rows:
        # PostgreSQL: the month's number (1 for the first); SQLite: 'YYYY-MM'.
        key = _month_key(boundaries[month - 1] if isinstance(month, int) else month)
        month_seconds = (row["seconds"] or []) if _median_in_sql() else seconds.get(key, [])
        tally = _Tally.of(row, month_seconds)
        by_month[key] = tally.figures()
        quarter_key = _quarter_key(f"{key[0]:04d}-{key[1]:02d}")
        if quarter_key in by_quarter:
            by_quarter[quarter_key].add(tally)
        else:
            by_quarter[quarter_key] = _Tally(counts=dict(tally.counts), seconds=list(tally.seconds))
    return CalendarFigures(
        start=start,
        end=end,
        first_month=first_month,
        series_months=months,
        months=by_month,
        quarters={key: tally.figures() for key, tally in by_quarter.items()},
    )


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
