"""The report selectors against a hand-computed history, period edges included."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.periods import month_period, quarter_period
from feedback.models import ActionStatus, EntryKind
from feedback.selectors.csat import csat_by, csat_figure
from feedback.selectors.reports import (
    action_plan_effects,
    csat_report,
    csat_trend,
    feature_requests,
    feedback_report,
    issue_frequency,
    previous_period,
    recurring_issues,
    resolution_time,
    response_rate,
    seller_csat,
    words,
)
from tests.feedback.factories_reports import (
    ActionPlanFactory,
    ReportEntryFactory,
    ReportInvitationFactory,
    ReportResponseFactory,
)
from tests.marketplace.factories import SellerFactory

pytestmark = pytest.mark.django_db


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


HISTORY = [
    # (created_at, overall, category, channel)
    (at(2026, 6, 30, 23, 59, 59), 5, "technical", "web"),
    (at(2026, 7, 1, 0, 0, 0), 3, "technical", "web"),
    (at(2026, 8, 31, 23, 59, 59), 4, "technical", "web"),
    (at(2026, 9, 1, 0, 0, 0), 2, "shipping_delivery", "web"),
    (at(2026, 9, 30, 23, 59, 59), 5, "shipping_delivery", "email"),
    (at(2026, 10, 1, 0, 0, 0), 1, "shipping_delivery", "email"),
    (at(2026, 10, 15, 12, 0, 0), 4, "shipping_delivery", "web"),
    (at(2026, 10, 31, 23, 59, 59), 5, "product", "email"),
    (at(2026, 11, 1, 0, 0, 0), 4, "shipping_delivery", "web"),
    (at(2026, 11, 10, 8, 0, 0), 5, "shipping_delivery", "chat"),
    (at(2026, 11, 20, 8, 0, 0), 3, "technical", "web"),
    (at(2026, 11, 30, 23, 59, 59), 5, "product", "web"),
    (at(2026, 12, 1, 0, 0, 0), 1, "shipping_delivery", "web"),
    (at(2027, 1, 1, 0, 0, 0), 1, "shipping_delivery", "web"),
]


@pytest.fixture
def history() -> None:
    for created_at, overall, category, channel in HISTORY:
        ReportResponseFactory(created_at=created_at, overall=overall, category=category, channel=channel)


def pct(text: str) -> Decimal:
    return Decimal(text)


def test_monthly_csat_counts_each_answer_in_the_month_it_was_given_edges_included(history: None) -> None:
    september = csat_report(month_period(2026, 9), dimensions=())
    october = csat_report(month_period(2026, 10), dimensions=())
    november = csat_report(month_period(2026, 11), dimensions=())

    assert (september.overall.current.responses, september.overall.current.satisfied) == (2, 1)
    assert september.overall.csat_pct == pct("50.00")
    assert (october.overall.current.responses, october.overall.current.satisfied) == (3, 2)
    assert october.overall.csat_pct == pct("66.67")
    assert october.overall.previous_pct == pct("50.00")
    assert october.overall.change_pts == pct("16.67")
    assert (november.overall.current.responses, november.overall.current.satisfied) == (4, 3)
    assert november.overall.csat_pct == pct("75.00")
    assert november.overall.change_pts == pct("8.33")
    assert november.target_pct == Decimal("90")
    assert november.overall.meets_target is False


def test_quarterly_csat_and_its_change_from_the_previous_quarter(history: None) -> None:
    q4 = csat_report(quarter_period(2026, 4))

    assert q4.previous.label == "2026-Q3"
    assert (q4.overall.current.responses, q4.overall.current.satisfied) == (8, 5)
    assert q4.overall.csat_pct == pct("62.50")
    assert (q4.overall.previous.responses, q4.overall.previous.satisfied) == (4, 2)
    assert q4.overall.change_pts == pct("12.50")
    by_category = {row.key: row for row in q4.by["category"]}
    assert [row.key for row in q4.by["category"]] == ["technical", "shipping_delivery", "product"]  # worst first
    assert (by_category["shipping_delivery"].current.responses, by_category["shipping_delivery"].csat_pct) == (
        5,
        pct("60.00"),
    )
    assert by_category["shipping_delivery"].change_pts == pct("10.00")
    assert by_category["product"].csat_pct == pct("100.00")
    assert by_category["product"].change_pts is None  # no product answer in Q3
    assert by_category["technical"].csat_pct == pct("0.00")
    assert by_category["technical"].change_pts == pct("-50.00")
    by_channel = {row.key: (row.current.responses, row.csat_pct) for row in q4.by["channel"]}
    assert by_channel == {"email": (2, pct("50.00")), "web": (5, pct("60.00")), "chat": (1, pct("100.00"))}


def test_report_agrees_with_the_one_csat_definition(history: None) -> None:
    november = month_period(2026, 11)
    report = csat_report(november)

    assert report.overall.current == csat_figure(november)
    assert {row.key: row.current for row in report.by["category"]} == csat_by(november, "category")


def test_trend_has_twelve_months_ending_with_the_period_zero_where_nobody_answered(history: None) -> None:
    trend = csat_trend(quarter_period(2026, 4))

    assert (trend[0].period.label, trend[-1].period.label) == ("2026-01", "2026-12")
    figures = {point.period.label: (point.figure.responses, point.figure.csat_pct) for point in trend}
    assert figures["2026-05"] == (0, None)
    assert figures["2026-06"] == (1, pct("100.00"))
    assert figures["2026-07"] == (1, pct("0.00"))
    assert figures["2026-09"] == (2, pct("50.00"))
    assert figures["2026-11"] == (4, pct("75.00"))
    assert figures["2026-12"] == (1, pct("0.00"))


def test_previous_of_a_range_is_as_long_and_just_before() -> None:
    from core.periods import Period

    period = Period(label="x", start=at(2026, 11, 10), end=at(2026, 11, 20))
    previous = previous_period(period)

    assert (previous.start, previous.end) == (at(2026, 10, 31), at(2026, 11, 10))


def test_breakdowns_by_seller_and_agent_carry_names(staff_user) -> None:  # type: ignore[no-untyped-def]
    north, south = SellerFactory(name="Northwind"), SellerFactory(name="Southwind")
    ReportResponseFactory(seller=north, agent=staff_user, overall=5)
    ReportResponseFactory(seller=north, agent=staff_user, overall=2)
    ReportResponseFactory(seller=south, overall=4)

    report = csat_report(month_period(2026, 11), dimensions=("seller", "agent"))

    assert [(row.label, row.current.responses, row.csat_pct) for row in report.by["seller"]] == [
        ("Northwind", 2, pct("50.00")),
        ("Southwind", 1, pct("100.00")),
    ]
    assert [(row.key, row.current.responses) for row in report.by["agent"]] == [(staff_user.pk, 2)]
    assert report.by["agent"][0].label == str(staff_user)


def test_response_rate_is_answers_over_invitations_sent_in_the_period() -> None:
    november = month_period(2026, 11)
    ReportResponseFactory(created_at=at(2026, 11, 2))  # its invitation: sent 2026-11-02 - 1 h
    ReportResponseFactory(created_at=at(2026, 11, 1, 0, 30))  # invitation sent in October
    ReportInvitationFactory(created_at=at(2026, 11, 5))
    ReportInvitationFactory(created_at=at(2026, 11, 6))
    ReportInvitationFactory(created_at=at(2026, 12, 1))

    rate = response_rate(november)

    assert (rate.invitations_sent, rate.responses) == (3, 2)
    assert rate.rate_pct == pct("66.67")


def test_issue_frequency_counts_unhappy_or_explained_answers_and_log_entries_by_category() -> None:
    november, october = at(2026, 11, 3), at(2026, 10, 3)
    ReportResponseFactory(created_at=november, overall=2, category="shipping_delivery")
    ReportResponseFactory(created_at=november, overall=5, category="shipping_delivery", issues="Late parcel")
    ReportResponseFactory(created_at=november, overall=5, category="shipping_delivery")  # happy, silent: no issue
    ReportEntryFactory(created_at=november, category="shipping_delivery")
    ReportEntryFactory(created_at=november, category="shipping_delivery", kind=EntryKind.FEATURE_REQUEST)
    ReportEntryFactory(created_at=november, category="")
    ReportResponseFactory(created_at=october, overall=1, category="shipping_delivery")
    ReportEntryFactory(created_at=october, category="technical")

    rows = {row.category: row for row in issue_frequency(month_period(2026, 11))}

    shipping = rows["shipping_delivery"]
    assert (shipping.responses, shipping.entries, shipping.total, shipping.previous_total) == (2, 1, 3, 1)
    assert (rows["technical"].total, rows["technical"].previous_total) == (0, 1)
    assert rows[""].total == 1
    assert rows[""].label == "Not categorised"
    assert next(iter(rows)) == "shipping_delivery"


def test_recurring_issues_are_keywords_rising_within_a_category() -> None:
    for text in ("The parcel arrived late", "Late parcel again!", "parcel lost", "Courier was late"):
        ReportResponseFactory(created_at=at(2026, 11, 4), overall=2, category="shipping_delivery", issues=text)
    ReportEntryFactory(created_at=at(2026, 11, 5), category="shipping_delivery", body="Late, late, late.")
    ReportResponseFactory(created_at=at(2026, 10, 4), overall=2, category="shipping_delivery", issues="Late courier")
    ReportResponseFactory(created_at=at(2026, 10, 5), overall=2, category="shipping_delivery", issues="parcel")
    ReportResponseFactory(created_at=at(2026, 10, 6), overall=2, category="shipping_delivery", issues="parcel")

    rising = recurring_issues(month_period(2026, 11))

    # late: 4 this month (an entry repeating it counts once) vs 1; parcel: 3 vs 2; courier: 1 (too few).
    assert [(issue.keyword, issue.count, issue.previous_count, issue.rise) for issue in rising] == [
        ("late", 4, 1, 3),
        ("parcel", 3, 2, 1),
    ]
    assert rising[0].label == "Shipping and delivery"


def test_words_drop_stop_words_and_short_words() -> None:
    assert words("It's NOT the courier's fault, it was late; OK?") == {"courier's", "fault", "late"}


def test_feature_requests_are_grouped_by_what_is_wished_for_and_ranked() -> None:
    day = at(2026, 11, 7)
    ReportEntryFactory(created_at=day, kind=EntryKind.FEATURE_REQUEST, body="Please add Dark Mode to the app")
    ReportEntryFactory(created_at=day, kind=EntryKind.FEATURE_REQUEST, body="Feature: dark mode would be great")
    ReportResponseFactory(created_at=day, is_feature_request=True, suggestions="Would be nice to have a dark mode")
    ReportEntryFactory(created_at=day, kind=EntryKind.FEATURE_REQUEST, body="Export invoices as PDF")
    ReportEntryFactory(created_at=day, kind=EntryKind.FEATURE_REQUEST, body="Feature request: export invoices")
    ReportEntryFactory(created_at=at(2026, 10, 7), kind=EntryKind.FEATURE_REQUEST, body="dark mode")  # October
    ReportEntryFactory(created_at=day, kind=EntryKind.FEEDBACK, body="dark mode is broken")  # not a request

    ranked = feature_requests(month_period(2026, 11))

    assert [(request.key, request.count, request.from_entries, request.from_responses) for request in ranked] == [
        ("dark mode", 3, 2, 1),
        ("export invoices", 2, 2, 0),
    ]
    assert ranked[0].example == "Please add Dark Mode to the app"


def test_resolution_time_median_and_average_overall_and_by_interaction_type() -> None:
    day = at(2026, 11, 8)
    for seconds in (60, 120, 600):
        ReportResponseFactory(created_at=day, interaction_type="ticket", resolution_seconds=seconds)
    ReportResponseFactory(created_at=day, interaction_type="conversation", resolution_seconds=301)
    ReportResponseFactory(created_at=day, interaction_type="conversation", resolution_seconds=None)

    rows = resolution_time(month_period(2026, 11))

    assert [(row.key, row.responses, row.median_seconds, row.average_seconds) for row in rows] == [
        (None, 4, 211, 270),  # median of 60, 120, 301, 600 = 210.5 -> 211 (half-up); mean 1081/4 = 270.25
        ("conversation", 1, 301, 301),
        ("ticket", 3, 120, 260),
    ]


def test_action_plan_compares_equal_windows_before_and_after_it_took_effect() -> None:
    plan = ActionPlanFactory(category="shipping_delivery", effective_on=date(2026, 11, 1))
    pending = ActionPlanFactory(category="technical", effective_on=date(2026, 12, 20), status=ActionStatus.PLANNED)
    before, after = at(2026, 10, 20), at(2026, 11, 5)
    ReportResponseFactory(created_at=before, category="shipping_delivery", overall=1)
    ReportResponseFactory(created_at=before, category="shipping_delivery", overall=5)
    ReportResponseFactory(created_at=at(2026, 9, 20), category="shipping_delivery", overall=1)  # outside
    ReportEntryFactory(created_at=before, category="shipping_delivery")
    ReportResponseFactory(created_at=after, category="shipping_delivery", overall=5)
    ReportResponseFactory(created_at=after, category="shipping_delivery", overall=4)
    ReportResponseFactory(created_at=after, category="technical", overall=1)  # another category

    effects = {effect.plan.pk: effect for effect in action_plan_effects([plan, pending], now=at(2026, 12, 7))}

    done = effects[plan.pk]
    assert (done.before.start, done.before.end) == (at(2026, 10, 2), at(2026, 11, 1))
    assert (done.before.csat.responses, done.before.csat.csat_pct, done.before.issues) == (2, pct("50.00"), 2)
    assert done.after is not None
    assert (done.after.start, done.after.end) == (at(2026, 11, 1), at(2026, 12, 1))
    assert (done.after.csat.responses, done.after.csat.csat_pct, done.after.issues) == (2, pct("100.00"), 0)
    assert done.change_pts == pct("50.00")
    assert done.helped is True
    assert effects[pending.pk].after is None
    assert effects[pending.pk].helped is None


def test_action_plan_window_is_cut_at_now_and_before_matches_its_length() -> None:
    plan = ActionPlanFactory(effective_on=date(2026, 11, 1))

    (effect,) = action_plan_effects([plan], now=at(2026, 11, 11))

    assert effect.after is not None
    assert (effect.after.start, effect.after.end) == (at(2026, 11, 1), at(2026, 11, 11))
    assert (effect.before.start, effect.before.end) == (at(2026, 10, 22), at(2026, 11, 1))


def _spread(sellers: int, per_seller: int) -> None:
    for index in range(sellers):
        seller = SellerFactory()
        for overall in range(per_seller):
            ReportResponseFactory(
                created_at=at(2026, 11, 2) + timedelta(hours=index),
                seller=seller,
                overall=1 + overall % 5,
                category=["technical", "product", "shipping_delivery"][overall % 3],
                issues="late parcel" if overall % 2 else "",
                resolution_seconds=100 * (overall + 1),
            )
        ReportEntryFactory(created_at=at(2026, 11, 3), body="late again")
        ReportEntryFactory(created_at=at(2026, 11, 3), kind=EntryKind.FEATURE_REQUEST, body="dark mode")
        ActionPlanFactory(effective_on=date(2026, 11, 1) - timedelta(days=index))


@pytest.mark.parametrize("sellers", [1, 4])
def test_whole_report_costs_a_constant_number_of_statements(sellers: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    _spread(sellers, per_seller=5)

    with django_assert_num_queries(20):
        feedback_report(month_period(2026, 11), now=at(2026, 12, 7))


@pytest.mark.parametrize("answers", [1, 6])
def test_seller_csat_is_two_statements_and_only_the_sellers_answers(answers: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    seller, other = SellerFactory(), SellerFactory()
    for index in range(answers):
        ReportResponseFactory(seller=seller, created_at=at(2026, 12, 2), overall=5 if index else 3)
    ReportResponseFactory(seller=other, created_at=at(2026, 12, 2), overall=1)

    with django_assert_num_queries(2):
        this_month, trend = seller_csat(seller.pk, now=at(2026, 12, 7))

    assert this_month.current.responses == answers
    assert this_month.current.satisfied == answers - 1
    assert trend[-1].period.label == "2026-12"
    assert trend[-1].figure.responses == answers


def test_a_periods_report_shows_the_plans_in_effect_by_its_end_within_a_year() -> None:
    from feedback.selectors.reports import action_plans_for

    shown = ActionPlanFactory(title="shown", effective_on=date(2026, 11, 30))
    also_shown = ActionPlanFactory(title="a year back", effective_on=date(2025, 11, 1))
    ActionPlanFactory(title="later", effective_on=date(2026, 12, 1))
    ActionPlanFactory(title="too old", effective_on=date(2025, 10, 30))
    ActionPlanFactory(title="dropped", effective_on=date(2026, 11, 10), status=ActionStatus.DROPPED)

    assert list(action_plans_for(month_period(2026, 11))) == [shown, also_shown]
