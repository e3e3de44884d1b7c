"""The response KPIs as built once per shape (``inquiries.selectors.kpis``) against a reference:
today's definition written the straightforward way, ORM aggregates built on every call (the
implementation before the covering indexes and the cached statements), on random inquiry
histories: statuses, opening times around month and quarter edges and around ``now``, excluded,
closed before / at / after the deadline, answered by the seller or by staff, escalated or not,
and field combinations the services never write (the SQL must agree on those too). Runs on the
configured database: SQLite by default, PostgreSQL with ``DATABASE_URL``."""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.figures import Median
from core.periods import Period, month_period, previous_quarter, quarter_of
from inquiries.models import Inquiry, InquiryClock, InquiryStatus, SellerStanding, StandingLevel
from inquiries.selectors import kpis
from inquiries.selectors.kpis import (
    MissedBreakdown,
    MonthResponseMetrics,
    ResponseMetrics,
    add_months,
    calendar_figures,
    missed_breakdown_by_seller,
    month_start,
    monthly_series,
    response_metrics,
    response_metrics_by_seller,
)
from inquiries.selectors.pages import seller_standing_decisions
from inquiries.services.standing import projection_quarters, standing_level, standing_project, standing_tips
from inquiries.views import seller_dashboard_figures
from marketplace.models import Seller
from tests.inquiries.factories import MessageFactory
from tests.marketplace.factories import SellerFactory

# --- The reference: today's definition, straightforwardly -------------------------------------

OPEN, ANSWERED, STAFF, EXCLUDED, CLOSED = (
    InquiryStatus.OPEN,
    InquiryStatus.ANSWERED,
    InquiryStatus.ANSWERED_BY_STAFF,
    InquiryStatus.EXCLUDED,
    InquiryStatus.CLOSED,
)


def ref_counted(now: datetime) -> Q:
    """Not excluded, not opened past its buyer's limit of inquiries waiting at the seller, not open
    and not yet due, not closed by the buyer before its deadline."""
    return (
        ~Q(status=EXCLUDED)
        & ~Q(is_over_open_limit=True)
        & ~Q(status=OPEN, response_due_at__gt=now)
        & ~Q(status=CLOSED, closed_at__lte=F("response_due_at"))
    )


def ref_answered() -> Q:
    return Q(status__in=(ANSWERED, STAFF))


def ref_escalated() -> Q:
    """Escalated by the sweep (the ledger's once stopped, the clock's while open) or by staff."""
    return Q(escalated_at__isnull=False) | Q(status=STAFF) | Q(status=OPEN, clock__escalated_at__isnull=False)


def ref_after_hours() -> Q:
    return Q(awaiting_since__hour__lt=8) | Q(awaiting_since__hour__gte=20) | Q(awaiting_since__iso_week_day__gte=6)


def ref_aggregates(now: datetime) -> dict[str, Any]:
    counted = ref_counted(now)
    figures: dict[str, Any] = {
        "inquiries": Count("id", filter=counted),
        "answered": Count("id", filter=counted & ref_answered()),
        "answered_within_target": Count("id", filter=counted & Q(is_within_target=True)),
        "escalated": Count("id", filter=counted & ref_escalated()),
        "excluded": Count("id", filter=Q(status=EXCLUDED)),
        "average_seconds": Avg("first_response_seconds", filter=counted & ref_answered()),
    }
    if connection.vendor == "postgresql":
        figures["median_seconds"] = Median("first_response_seconds", filter=counted & ref_answered())
    return figures


def ref_whole_seconds(value: float | None) -> int | None:
    return None if value is None else int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ref_build(row: dict[str, Any], median: float | None = None) -> ResponseMetrics:
    target = Decimal(django_settings.INQUIRIES_TARGET_PCT)
    inquiries = int(row.get("inquiries") or 0)
    within = int(row.get("answered_within_target") or 0)
    pct = (
        None
        if not inquiries
        else (Decimal(within) * 100 / Decimal(inquiries)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )
    return ResponseMetrics(
        inquiries=inquiries,
        answered=int(row.get("answered") or 0),
        answered_within_target=within,
        within_target_pct=pct,
        average_first_response_seconds=ref_whole_seconds(row.get("average_seconds")),
        median_first_response_seconds=ref_whole_seconds(row.get("median_seconds", median)),
        escalated=int(row.get("escalated") or 0),
        excluded=int(row.get("excluded") or 0),
        target_pct=target,
        meets_target=None if pct is None else pct >= target,
    )


def ref_opened_in(seller_id: int | None, start: datetime, end: datetime) -> QuerySet[Inquiry]:
    queryset = Inquiry.objects.filter(awaiting_since__gte=start, awaiting_since__lt=end)
    return (queryset if seller_id is None else queryset.filter(seller_id=seller_id)).order_by()


def ref_seconds(queryset: QuerySet[Inquiry], now: datetime) -> QuerySet[Inquiry]:
    return queryset.filter(ref_counted(now) & ref_answered(), first_response_seconds__isnull=False)


def ref_median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def ref_response_metrics(seller_id: int | None, start: datetime, end: datetime, now: datetime) -> ResponseMetrics:
    queryset = ref_opened_in(seller_id, start, end)
    row = queryset.aggregate(**ref_aggregates(now))
    if connection.vendor == "postgresql":
        return ref_build(row)
    values = list(ref_seconds(queryset, now).values_list("first_response_seconds", flat=True))
    return ref_build(row, ref_median(cast(list[int], values)))


def ref_by_seller(
    seller_ids: Iterable[int] | None, start: datetime, end: datetime, now: datetime
) -> dict[int, ResponseMetrics]:
    queryset = ref_opened_in(None, start, end)
    if seller_ids is not None:
        queryset = queryset.filter(seller_id__in=list(seller_ids))
    rows = list(queryset.values("seller_id").annotate(**ref_aggregates(now)).order_by("seller_id"))
    if connection.vendor == "postgresql":
        return {row["seller_id"]: ref_build(row) for row in rows}
    seconds: dict[int, list[int]] = defaultdict(list)
    for seller_id, value in ref_seconds(queryset, now).values_list("seller_id", "first_response_seconds"):
        seconds[seller_id].append(value)
    return {row["seller_id"]: ref_build(row, ref_median(seconds[row["seller_id"]])) for row in rows}


def ref_missed_by_seller(
    seller_ids: Iterable[int] | None, start: datetime, end: datetime, now: datetime
) -> dict[int, MissedBreakdown]:
    counted = ref_counted(now)
    missed = counted & ~Q(is_within_target=True)
    queryset = ref_opened_in(None, start, end)
    if seller_ids is not None:
        queryset = queryset.filter(seller_id__in=list(seller_ids))
    rows = queryset.values("seller_id").annotate(
        missed=Count("id", filter=missed),
        missed_after_hours=Count("id", filter=missed & ref_after_hours()),
        after_hours=Count("id", filter=counted & ref_after_hours()),
    )
    return {
        row["seller_id"]: MissedBreakdown(row["missed"], row["missed_after_hours"], row["after_hours"]) for row in rows
    }


def ref_monthly_series(seller_id: int | None, months: int, now: datetime) -> list[MonthResponseMetrics]:
    current = month_start(now)
    first = add_months(current, -(months - 1))
    queryset = ref_opened_in(seller_id, first, add_months(current, 1)).annotate(
        opened_month=TruncMonth("awaiting_since", tzinfo=UTC)
    )
    rows = {
        (row["opened_month"].year, row["opened_month"].month): row
        for row in queryset.values("opened_month").annotate(**ref_aggregates(now))
    }
    seconds: dict[tuple[int, int], list[int]] = defaultdict(list)
    if connection.vendor != "postgresql":
        for opened, value in ref_seconds(queryset, now).values_list("awaiting_since", "first_response_seconds"):
            seconds[(opened.year, opened.month)].append(value)
    series = []
    for offset in range(months):
        start = add_months(first, offset)
        key = (start.year, start.month)
        median = None if connection.vendor == "postgresql" else ref_median(seconds[key])
        series.append(
            MonthResponseMetrics(
                month=start.date(),
                label=f"{start:%Y-%m}",
                start=start,
                end=add_months(start, 1),
                metrics=ref_build(rows.get(key, {}), median),
            )
        )
    return series


# --- Random histories -----------------------------------------------------------------------------

TARGET = timedelta(hours=4)
SELLERS = 3
MAX_INQUIRIES = 24
NOWS = [
    datetime(2026, 11, 18, 10, 30, tzinfo=UTC),
    datetime(2026, 12, 1, 0, 0, tzinfo=UTC),  # a month and no quarter edge
    datetime(2026, 10, 1, 2, 0, tzinfo=UTC),  # two hours into a quarter: last quarter's last are still not due
    datetime(2027, 1, 1, 0, 0, 0, 1, tzinfo=UTC),  # a year edge
    datetime(2026, 9, 30, 23, 59, 59, tzinfo=UTC),
]
SMALL_OFFSETS = [timedelta(0), timedelta(microseconds=1), timedelta(seconds=1), timedelta(minutes=59), TARGET]


@dataclass(frozen=True)
class Row:
    seller: int
    anchor: int
    offset: timedelta
    status: str
    due_after: timedelta
    closed: timedelta | None
    escalated: bool
    seconds: int | None
    within: bool | None
    over_open_limit: bool = False


def anchors(now: datetime) -> list[datetime]:
    """Times the figures turn on: month and quarter edges around ``now``, ``now`` itself and the
    moment an inquiry opened then falls due."""
    month = month_start(now)
    quarter = quarter_of(now).start
    return [
        now,
        now - TARGET,
        month,
        add_months(month, -1),
        add_months(month, -5),
        add_months(month, 1),
        quarter,
        add_months(quarter, -3),
        add_months(quarter, 3),
        now - timedelta(days=40),
    ]


offsets = st.builds(
    lambda base, negative: -base if negative else base,
    st.one_of(st.sampled_from(SMALL_OFFSETS), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))),
    st.booleans(),
)
rows = st.builds(
    Row,
    seller=st.integers(0, SELLERS - 1),
    anchor=st.integers(0, 9),
    offset=offsets,
    status=st.sampled_from([OPEN, ANSWERED, STAFF, EXCLUDED, CLOSED]),
    due_after=st.sampled_from([TARGET, TARGET, timedelta(hours=1), timedelta(hours=8)]),
    closed=st.one_of(st.none(), st.sampled_from([-timedelta(seconds=1), timedelta(0), timedelta(seconds=1), TARGET])),
    escalated=st.booleans(),
    seconds=st.one_of(st.none(), st.integers(0, 30_000), st.sampled_from([1, 2, 14_400, 14_401])),
    within=st.one_of(st.none(), st.booleans()),
    # One in four opened past its buyer's open-inquiry limit (left out of every figure).
    over_open_limit=st.sampled_from([False, False, False, True]),
)
# The first seller's decided previous quarter: none, a penalty at 12.50 %, the badge at 93.33 %, or
# the badge taken away by an override.
DECISIONS = [None, (StandingLevel.PENALTY, "", "12.50"), (StandingLevel.RESPONSIVE, "", "93.33")]
DECISIONS.append((StandingLevel.RESPONSIVE, StandingLevel.WARNING, "93.33"))
histories = st.tuples(st.sampled_from(NOWS), st.lists(rows, max_size=MAX_INQUIRIES), st.sampled_from(DECISIONS))


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """Three sellers and a pool of conversations with their opening messages (one per inquiry)."""
    sellers = [SellerFactory() for _ in range(SELLERS)]
    messages = MessageFactory.create_batch(MAX_INQUIRIES)
    return sellers, [(message.conversation_id, message.pk) for message in messages]


def insert(world: Any, now: datetime, history: list[Row], decided: tuple[str, str, str] | None) -> list[Seller]:
    sellers, pool = world
    moments = anchors(now)
    inquiries = []
    for (conversation_id, message_id), row in zip(pool, history, strict=False):
        opened = moments[row.anchor] + row.offset
        due = opened + row.due_after
        inquiries.append(
            Inquiry(
                conversation_id=conversation_id,
                opening_message_id=message_id,
                seller=sellers[row.seller],
                status=row.status,
                awaiting_since=opened,
                response_due_at=due,
                # The sweep writes an open inquiry's escalation on its clock only (below).
                escalated_at=due if row.escalated and row.status != OPEN else None,
                closed_at=None if row.closed is None else due + row.closed,
                first_response_seconds=row.seconds,
                is_within_target=row.within,
                is_over_open_limit=row.over_open_limit,
            )
        )
    created = Inquiry.objects.bulk_create(inquiries)
    InquiryClock.objects.bulk_create(
        [
            InquiryClock(
                inquiry=inquiry,
                conversation_id=inquiry.conversation_id,
                seller_id=inquiry.seller_id,
                warn_at=inquiry.awaiting_since + timedelta(hours=3),
                due_at=inquiry.response_due_at,
                escalated_at=inquiry.response_due_at if row.escalated else None,
                stopped_at=None if row.status == OPEN else inquiry.response_due_at,
            )
            for inquiry, row in zip(created, history, strict=False)
        ]
    )
    if decided is not None:
        # A decided previous quarter for the first seller: the projection takes its figure.
        level, overridden, pct = decided
        SellerStanding.objects.create(
            seller=sellers[0],
            period=previous_quarter(quarter_of(now)).label,
            level=level,
            overridden_level=overridden,
            inquiries=10,
            answered_within_target=1,
            within_target_pct=Decimal(pct),
            decided_at=now,
        )
    return sellers


def periods(now: datetime, history: list[Row]) -> list[tuple[datetime, datetime]]:
    month = month_period(now.year, now.month)
    last_month = add_months(month_start(now), -1)
    quarter = quarter_of(now)
    moments = anchors(now)
    found = [(month.start, month.end), (last_month, month.start), (quarter.start, quarter.end)]
    earlier = previous_quarter(quarter)
    found.append((earlier.start, earlier.end))
    # A range from one inquiry's opening to another's (from/to dates need not be month edges).
    if len(history) >= 2:
        first, second = sorted(moments[row.anchor] + row.offset for row in history[:2])
        if first < second:
            found.append((first, second))
    return found


settings_for_histories = settings(
    max_examples=40,
    deadline=None,
    # The fixture's sellers and pool are the same for every example; each example rolls back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings_for_histories
@given(histories)
def test_figures_equal_the_reference_on_random_histories(world, case):  # type: ignore[no-untyped-def]
    now, history, decided = case
    with transaction.atomic():
        sellers = insert(world, now, history, decided)
        seller_ids = [seller.pk for seller in sellers]
        for start, end in periods(now, history):
            for seller_id in [*seller_ids, None]:
                assert response_metrics(seller_id=seller_id, start=start, end=end, now=now) == ref_response_metrics(
                    seller_id, start, end, now
                ), (seller_id, start, end)
            for chosen in (None, seller_ids[:2], []):
                assert response_metrics_by_seller(seller_ids=chosen, start=start, end=end, now=now) == ref_by_seller(
                    chosen, start, end, now
                )
                assert missed_breakdown_by_seller(
                    seller_ids=chosen, start=start, end=end, now=now
                ) == ref_missed_by_seller(chosen, start, end, now)
        for months in (1, 6, 7):
            for seller_id in [seller_ids[0], None]:
                assert monthly_series(seller_id=seller_id, months=months, now=now) == ref_monthly_series(
                    seller_id, months, now
                )
        transaction.set_rollback(True)


def ref_period_figures(seller_id: int, period: Period, now: datetime) -> tuple[ResponseMetrics, MissedBreakdown]:
    missed = ref_missed_by_seller([seller_id], period.start, period.end, now)
    return (
        ref_response_metrics(seller_id, period.start, period.end, now),
        missed.get(seller_id, MissedBreakdown(0, 0, 0)),
    )


@settings_for_histories
@given(histories)
def test_dashboard_and_projected_standing_equal_the_reference(world, case):  # type: ignore[no-untyped-def]
    now, history, decided = case
    with transaction.atomic():
        sellers = insert(world, now, history, decided)
        for seller in sellers:
            figures = calendar_figures(seller_id=seller.pk, months=6, quarters=projection_quarters(), now=now)
            assert figures.series() == ref_monthly_series(seller.pk, 6, now)
            quarter = quarter_of(now)
            for period in (quarter, previous_quarter(quarter), month_period(now.year, now.month)):
                metrics, missed = ref_period_figures(seller.pk, period, now)
                assert figures.figures(start=period.start, end=period.end) == kpis.PeriodFigures(metrics, missed)

            # The projection as standing.py decided it before: the quarter's figures, the earlier
            # quarter's decided figure if there is one, else its computed one.
            metrics, missed = ref_period_figures(seller.pk, quarter, now)
            earlier = previous_quarter(quarter)
            decided_row = SellerStanding.objects.filter(seller=seller, period=earlier.label).first()
            earlier_pct = (
                decided_row.within_target_pct
                if decided_row is not None
                else ref_response_metrics(seller.pk, earlier.start, earlier.end, now).within_target_pct
            )
            level = standing_level(metrics=metrics, earlier_pcts=[earlier_pct])
            expected_tips = standing_tips(level=level, metrics=metrics, missed=missed)
            for projection in (
                standing_project(seller=seller, now=now),
                seller_dashboard_figures(seller=seller, now=now).standing,
            ):
                assert (projection.level, projection.metrics, projection.tips) == (level, metrics, expected_tips)

            dashboard = seller_dashboard_figures(seller=seller, now=now)
            month = month_period(now.year, now.month)
            assert [period["metrics"] for period in dashboard.periods] == [
                ref_response_metrics(seller.pk, month.start, month.end, now),
                metrics,
            ]
            assert dashboard.chart_months == ref_monthly_series(seller.pk, 6, now)
            decided_rows = SellerStanding.objects.filter(seller=seller)
            assert {
                period: str(pct)
                for period, pct in seller_standing_decisions(seller_id=seller.pk).within_target_pcts.items()
            } == {
                row.period: str(row.within_target_pct) for row in decided_rows
            }  # the same decimals, digits included, as the ORM reads them
            latest = decided_rows.order_by("-period").first()
            assert dashboard.has_badge is (latest is not None and latest.effective_level == StandingLevel.RESPONSIVE)
        transaction.set_rollback(True)
