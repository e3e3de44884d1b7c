"""The response KPIs on a hand-built set of inquiries: exact figures and the counting rule."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q

from core.exceptions import InvalidInput
from core.periods import Period, parse_period, previous_quarter, quarter_of
from inquiries.models import Inquiry
from inquiries.selectors.kpis import (
    ResponseMetrics,
    counted_inquiries_q,
    monthly_series,
    response_metrics,
    response_metrics_by_seller,
)
from inquiries.services.messaging import conversation_open, message_post
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.factories import inquiry_with_outcome
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
KPI_QUERIES = 1 if connection.vendor == "postgresql" else 2  # SQLite: one more for the median


def opened(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def november(db):  # type: ignore[no-untyped-def]
    """Seller A's November: 8 inquiries, 6 counted, 2 within target; noise around it."""
    seller = SellerFactory(name="Northwind")
    other = SellerFactory(name="Contoso")
    support = UserFactory(username="agent")
    rows = {
        "fast": inquiry_with_outcome(seller=seller, opened=opened(2), outcome="seller", after=timedelta(hours=1)),
        "in_time": inquiry_with_outcome(seller=seller, opened=opened(3), outcome="seller", after=timedelta(hours=2)),
        "late": inquiry_with_outcome(
            seller=seller, opened=opened(4), outcome="seller", after=timedelta(hours=5), escalated=True
        ),
        "staff": inquiry_with_outcome(
            seller=seller, opened=opened(5), outcome="staff", after=timedelta(hours=8), answered_by=support
        ),
        "excluded": inquiry_with_outcome(seller=seller, opened=opened(6), outcome="excluded", reason="Spam"),
        "closed_early": inquiry_with_outcome(
            seller=seller, opened=opened(7), outcome="closed", after=timedelta(hours=1)
        ),
        "closed_late": inquiry_with_outcome(
            seller=seller, opened=opened(8), outcome="closed", after=timedelta(hours=5)
        ),
        "overdue": inquiry_with_outcome(seller=seller, opened=opened(10), outcome="open", escalated=True),
    }
    # Outside the figures of A in November: another seller, and A's October and December.
    inquiry_with_outcome(seller=other, opened=opened(3), outcome="seller", after=timedelta(minutes=30))
    inquiry_with_outcome(
        seller=seller, opened=datetime(2026, 10, 31, 23, 59, tzinfo=UTC), outcome="seller", after=timedelta(hours=1)
    )
    inquiry_with_outcome(seller=seller, opened=datetime(2026, 12, 1, tzinfo=UTC), outcome="open")
    return {"seller": seller, "other": other, "rows": rows}


def test_seller_month_figures_are_exact(november, django_assert_num_queries):
    with django_assert_num_queries(KPI_QUERIES):
        metrics = response_metrics(seller_id=november["seller"].pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    assert metrics == ResponseMetrics(
        inquiries=6,  # fast, in_time, late, staff, closed_late, overdue
        answered=4,
        answered_within_target=2,
        within_target_pct=Decimal("33.33"),
        average_first_response_seconds=14400,  # (3600 + 7200 + 18000 + 28800) / 4
        median_first_response_seconds=12600,  # (7200 + 18000) / 2
        escalated=3,  # late, staff, overdue
        excluded=1,
        target_pct=Decimal("90"),
        meets_target=False,
    )
    assert metrics.missed == 4


def test_platform_wide_figures_add_the_other_sellers(november):
    metrics = response_metrics(seller_id=None, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    assert (metrics.inquiries, metrics.answered, metrics.answered_within_target) == (7, 5, 3)
    assert metrics.within_target_pct == Decimal("42.86")
    assert metrics.median_first_response_seconds == 7200
    assert metrics.average_first_response_seconds == 11880  # (1800 + 3600 + 7200 + 18000 + 28800) / 5


def test_grouped_by_seller_matches_the_single_seller_figures(november, django_assert_num_queries):
    with django_assert_num_queries(KPI_QUERIES):
        by_seller = response_metrics_by_seller(seller_ids=None, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    for seller in (november["seller"], november["other"]):
        assert by_seller[seller.pk] == response_metrics(
            seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW
        )
    assert by_seller[november["other"].pk].within_target_pct == Decimal("100.00")
    assert by_seller[november["other"].pk].meets_target is True


def test_open_inquiry_not_yet_due_is_left_out_until_it_falls_due(db):
    seller = SellerFactory()
    inquiry_with_outcome(seller=seller, opened=opened(30, 20), outcome="seller", after=timedelta(minutes=10))
    inquiry_with_outcome(seller=seller, opened=opened(30, 22), outcome="open")

    before_due = response_metrics(seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=opened(30, 23))
    assert (before_due.inquiries, before_due.within_target_pct, before_due.meets_target) == (1, Decimal("100.00"), True)

    at_due = response_metrics(
        seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOVEMBER[1] + timedelta(hours=2)
    )
    assert (at_due.inquiries, at_due.within_target_pct, at_due.meets_target) == (2, Decimal("50.00"), False)


def test_closed_before_due_is_left_out_and_closed_after_due_is_missed(db):
    seller = SellerFactory()
    inquiry_with_outcome(seller=seller, opened=opened(2), outcome="closed", after=timedelta(hours=3, minutes=59))
    inquiry_with_outcome(
        seller=seller, opened=opened(3), outcome="closed", after=timedelta(hours=4)
    )  # at due: left out
    inquiry_with_outcome(seller=seller, opened=opened(4), outcome="closed", after=timedelta(hours=4, seconds=1))
    metrics = response_metrics(seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    assert (metrics.inquiries, metrics.answered, metrics.answered_within_target) == (1, 0, 0)
    assert metrics.within_target_pct == Decimal("0.00")


def test_excluded_are_left_out_and_an_empty_period_has_no_percentage(db):
    seller = SellerFactory()
    inquiry_with_outcome(seller=seller, opened=opened(2), outcome="excluded")
    metrics = response_metrics(seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    assert metrics.inquiries == 0
    assert metrics.excluded == 1
    assert metrics.within_target_pct is None
    assert metrics.meets_target is None
    assert metrics.average_first_response_seconds is None
    assert metrics.median_first_response_seconds is None


def test_ninety_percent_meets_the_target(db):
    seller = SellerFactory()
    for day in range(1, 10):
        inquiry_with_outcome(seller=seller, opened=opened(day), outcome="seller", after=timedelta(hours=4))
    inquiry_with_outcome(seller=seller, opened=opened(11), outcome="seller", after=timedelta(hours=4, seconds=1))
    metrics = response_metrics(seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    assert (metrics.within_target_pct, metrics.meets_target) == (Decimal("90.00"), True)


def test_monthly_series_is_one_grouped_query_with_empty_months(november, django_assert_num_queries):
    with django_assert_num_queries(KPI_QUERIES):
        series = monthly_series(seller_id=november["seller"].pk, months=6, now=NOW)
    assert [point.label for point in series] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert series[4].metrics == response_metrics(
        seller_id=november["seller"].pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW
    )
    assert (series[3].metrics.inquiries, series[3].metrics.within_target_pct) == (1, Decimal("100.00"))
    assert (series[5].metrics.inquiries, series[5].metrics.within_target_pct) == (1, Decimal("0.00"))  # overdue
    assert series[0].metrics.inquiries == 0 and series[0].metrics.within_target_pct is None
    assert series[4].start == NOVEMBER[0] and series[4].end == NOVEMBER[1]


def test_monthly_series_platform_wide_crosses_the_year(november):
    series = monthly_series(seller_id=None, months=3, now=datetime(2027, 1, 3, tzinfo=UTC))
    assert [point.label for point in series] == ["2026-11", "2026-12", "2027-01"]
    assert series[0].metrics.inquiries == 7
    assert series[1].metrics.inquiries == 1  # the December inquiry is overdue by now


# --- periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "label", "start", "end"),
    [
        ({"period": "2026-11"}, "2026-11", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        ({"period": "2026-12"}, "2026-12", datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        ({"period": "2026-Q1"}, "2026-Q1", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
        ({"period": "2026-Q4"}, "2026-Q4", datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        (
            {"date_from": "2026-10-01", "date_to": "2026-11-01"},
            "2026-10-01..2026-11-01",
            datetime(2026, 10, 1, tzinfo=UTC),
            datetime(2026, 11, 1, tzinfo=UTC),
        ),
        ({}, "2026-12", datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_periods_are_half_open_utc_ranges(kwargs, label, start, end):
    arguments = {"period": None, "date_from": None, "date_to": None} | kwargs
    assert parse_period(**arguments, now=NOW) == Period(label=label, start=start, end=end)


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"period": "2026-00"}, "period", "invalid"),
        ({"period": "2026-Q0"}, "period", "invalid"),
        ({"period": "26-11"}, "period", "invalid"),
        ({"period": "2026-11", "date_from": "2026-10-01"}, "period", "ambiguous"),
        ({"date_to": "2026-10-01"}, "from", "required"),
        ({"date_from": "2026-10-01"}, "to", "required"),
        ({"date_from": "2026-1-01", "date_to": "2026-11-01"}, "from", "invalid"),
        ({"date_from": "2026-11-02", "date_to": "2026-11-01"}, "to", "invalid"),
        ({"date_from": "2020-01-01", "date_to": "2026-01-01"}, "to", "too_long"),
    ],
)
def test_bad_periods_name_the_field(kwargs, field, code):
    arguments = {"period": None, "date_from": None, "date_to": None} | kwargs
    with pytest.raises(InvalidInput) as error:
        parse_period(**arguments, now=NOW)
    assert (error.value.field, error.value.code) == (field, code)


def test_quarters_follow_each_other():
    assert quarter_of(datetime(2026, 11, 23, tzinfo=UTC)).label == "2026-Q4"
    assert previous_quarter(quarter_of(datetime(2026, 1, 1, 0, 15, tzinfo=UTC))).label == "2025-Q4"


# --- the statements --------------------------------------------------------------------------------


def test_dashboard_figures_take_two_statements(november, django_assert_num_queries):
    from inquiries.views import seller_dashboard_figures

    seller = november["seller"]
    # Month, quarter, the 6-month chart and the projected standing from one statement (plus the
    # answer times on SQLite), and the decided quarters with the badge from one more.
    with django_assert_num_queries(KPI_QUERIES + 1):
        figures = seller_dashboard_figures(seller=seller, now=NOW)
    assert [period["metrics"] for period in figures.periods] == [
        response_metrics(
            seller_id=seller.pk, start=datetime(2026, 12, 1, tzinfo=UTC), end=datetime(2027, 1, 1, tzinfo=UTC), now=NOW
        ),
        response_metrics(
            seller_id=seller.pk, start=datetime(2026, 10, 1, tzinfo=UTC), end=datetime(2027, 1, 1, tzinfo=UTC), now=NOW
        ),
    ]
    assert figures.chart_months == monthly_series(seller_id=seller.pk, months=6, now=NOW)
    assert figures.standing.metrics == figures.periods[1]["metrics"]


def test_projected_standing_takes_two_statements(november, django_assert_num_queries):
    from inquiries.services.standing import standing_project

    with django_assert_num_queries(KPI_QUERIES + 1):  # the quarters' figures, the decided quarters
        projection = standing_project(seller=november["seller"], now=NOW)
    assert projection.period == "2026-Q4"
    # November's six, the last of October and the overdue one of December.
    assert projection.metrics == response_metrics(
        seller_id=november["seller"].pk,
        start=datetime(2026, 10, 1, tzinfo=UTC),
        end=datetime(2027, 1, 1, tzinfo=UTC),
        now=NOW,
    )
    assert projection.metrics.inquiries == 8


def test_calendar_figures_refuse_a_period_they_did_not_read(november):
    from inquiries.selectors.kpis import calendar_figures

    figures = calendar_figures(seller_id=november["seller"].pk, months=1, quarters=1, now=NOW)
    with pytest.raises(ValueError, match="outside"):
        figures.metrics(start=datetime(2026, 7, 1, tzinfo=UTC), end=datetime(2026, 10, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="not a calendar month or quarter"):
        figures.metrics(start=datetime(2026, 11, 1, tzinfo=UTC), end=datetime(2026, 11, 15, tzinfo=UTC))


def test_an_open_inquiry_escalated_on_its_clock_counts_as_escalated_in_the_figures_and_the_export(november):
    """``escalated_q`` is the one definition of "escalated". While an inquiry is open the sweep
    writes its escalation on the clock only (the ledger gets it when the inquiry stops): the
    figures and the CSV read it from there, through ``Exists``."""
    from inquiries.selectors.exports import inquiries_for_export
    from tests.inquiries.factories import EscalationFactory

    seller = november["seller"]
    before = response_metrics(seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW).escalated
    escalation = EscalationFactory(
        inquiry__conversation__seller=seller, inquiry__awaiting_since=opened(12), escalated_at=opened(12, 13)
    )
    assert escalation.inquiry.escalated_at is None  # escalated only on its clock

    after = response_metrics(seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    exported = inquiries_for_export(seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    assert after.escalated == before + 1
    assert after.escalated == sum(1 for row in exported if row.is_counted and row.is_escalated)


def test_a_condition_must_be_on_the_inquiry_row(db):
    from inquiries.selectors import kpis

    with pytest.raises(ValueError, match="on the inquiry row itself"):
        kpis._condition(Q(seller__name="Northwind"))


# --- One buyer's flood ------------------------------------------------------------------------------


def _ask(buyer: Any, seller: Any, at: datetime, subject: str = "Is it in stock?") -> Any:
    return conversation_open(buyer=buyer, seller=seller, subject=subject, body="Hello?", now=at)


def test_one_buyers_flood_counts_as_their_first_few_questions(db, settings):
    """The finding: sixty questions from one buyer, left unanswered, took a seller's month from
    40 % to 3 %. Only the first ``INQUIRIES_KPI_OPEN_PER_BUYER`` waiting at a time count."""
    settings.INQUIRIES_KPI_OPEN_PER_BUYER = 3
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)
    for index in range(10):  # ten buyers, four answered within target: 40 %
        conversation = _ask(BuyerFactory(), seller, opened(2, 9) + timedelta(minutes=index))
        if index < 4:
            message_post(conversation=conversation, author=member, body="Yes.", now=opened(2, 10))
    flooder = BuyerFactory()
    for index in range(60):
        _ask(flooder, seller, opened(3, 9) + timedelta(seconds=index // 6), subject=f"Question {index}")

    figures = response_metrics(seller_id=seller.pk, start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)

    assert Inquiry.objects.filter(seller=seller).count() == 70
    assert Inquiry.objects.filter(seller=seller, is_over_open_limit=True).count() == 57
    assert (figures.inquiries, figures.answered_within_target) == (13, 4)
    assert figures.within_target_pct == Decimal("30.77")
    by_seller = response_metrics_by_seller(seller_ids=[seller.pk], start=NOVEMBER[0], end=NOVEMBER[1], now=NOW)
    assert by_seller[seller.pk] == figures
    # The per-inquiry CSV's "counted" column follows the same rule.
    counted = Inquiry.objects.filter(seller=seller).filter(counted_inquiries_q(now=NOW)).count()
    assert counted == 13


def test_a_buyers_questions_count_again_once_the_seller_answers(db, settings):
    settings.INQUIRIES_KPI_OPEN_PER_BUYER = 2
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)
    buyer = BuyerFactory()
    first, second = _ask(buyer, seller, opened(2, 9)), _ask(buyer, seller, opened(2, 9))
    third = _ask(buyer, seller, opened(2, 9))
    message_post(conversation=first, author=member, body="Yes.", now=opened(2, 10))
    fourth = _ask(buyer, seller, opened(2, 11))
    # The buyer's follow-up in an answered conversation opens a new inquiry, under the same rule.
    message_post(conversation=first, author=buyer, body="And in blue?", now=opened(2, 12))

    over_limit = list(Inquiry.objects.values_list("conversation_id", "is_over_open_limit").order_by("id"))
    assert over_limit == [
        (first.pk, False),
        (second.pk, False),
        (third.pk, True),  # two were waiting
        (fourth.pk, False),  # the first was answered: one counted waiting
        (first.pk, True),  # the second and the fourth are waiting
    ]
    # Another buyer is not held to this one's questions.
    assert Inquiry.objects.get(conversation=_ask(BuyerFactory(), seller, opened(2, 13))).is_over_open_limit is False
