"""Seller standing: thresholds, the penalty after two quarters, tips, override, projection and the
quarterly sweep (idempotent)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from core.exceptions import Forbidden, InvalidInput
from core.sweeps import get_sweep, sweep_run
from inquiries.models import SellerStanding, StandingLevel
from inquiries.notices import Kind
from inquiries.services.standing import (
    standing_decide,
    standing_override,
    standing_project,
    standings_decide_quarter,
)
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.inquiries.factories import SellerStandingFactory, inquiry_with_outcome
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

Q3_START = datetime(2026, 7, 1, tzinfo=UTC)
AFTER_Q3 = datetime(2026, 10, 1, 0, 15, tzinfo=UTC)
ON_TIME = timedelta(hours=1)
LATE = timedelta(hours=6)


def fill_quarter(seller, *, start: datetime, on_time: int, late: int) -> None:  # type: ignore[no-untyped-def]
    """``on_time + late`` answered inquiries spread over the quarter's first days (business hours)."""
    for index in range(on_time + late):
        opened = start + timedelta(days=index % 60, hours=10)
        inquiry_with_outcome(seller=seller, opened=opened, outcome="seller", after=ON_TIME if index < on_time else LATE)


@pytest.fixture
def seller(db):  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    SellerMemberFactory(seller=seller, username="owner")
    return seller


def test_ninety_percent_earns_the_badge(seller):
    fill_quarter(seller, start=Q3_START, on_time=9, late=1)
    standing = standing_decide(seller=seller, quarter="2026-Q3", now=AFTER_Q3)
    assert (standing.level, standing.within_target_pct) == (StandingLevel.RESPONSIVE, Decimal("90.00"))
    assert (standing.inquiries, standing.answered_within_target, standing.tips) == (10, 9, "")
    notification = Notification.objects.get(kind=Kind.SELLER_STANDING)
    assert notification.recipient.username == "owner"
    assert notification.title == "Northwind: Responsive seller (badge) for 2026-Q3 (90.00 % within target)"


def test_just_below_ninety_is_a_warning_with_tips(seller):
    # 89.99 % (8,999 of 10,000): the level rule on the figures, without building 10,000 rows.
    from inquiries.selectors.kpis import ResponseMetrics
    from inquiries.services.standing import standing_level

    figures = ResponseMetrics(
        inquiries=10000,
        answered=10000,
        answered_within_target=8999,
        within_target_pct=Decimal("89.99"),
        average_first_response_seconds=None,
        median_first_response_seconds=None,
        escalated=0,
        excluded=0,
        target_pct=Decimal("90"),
        meets_target=False,
    )
    assert standing_level(metrics=figures, earlier_pcts=[None]) == StandingLevel.WARNING
    assert standing_level(metrics=figures, earlier_pcts=[Decimal("10")]) == StandingLevel.WARNING  # not < 75


def test_warning_tips_come_from_the_figures(seller):
    fill_quarter(seller, start=Q3_START, on_time=8, late=2)  # 80 %
    inquiry_with_outcome(  # a Saturday night question answered by support after escalation
        seller=seller, opened=datetime(2026, 8, 1, 23, 0, tzinfo=UTC), outcome="staff", after=timedelta(hours=7)
    )
    standing = standing_decide(seller=seller, quarter="2026-Q3", now=AFTER_Q3)
    assert standing.level == StandingLevel.WARNING
    assert standing.within_target_pct == Decimal("72.73")  # 8 / 11
    tips = standing.tips.splitlines()
    assert tips[0] == "8 of your 11 inquiries were answered within 4 hours (72.73 %); the target is 90 %."
    assert tips[1] == "2 more answers on time would have earned the badge."  # 10 / 11 = 90.9 %
    assert any("1 of your 3 late or missed inquiries (33 %) arrived outside 08:00-20:00 UTC" in tip for tip in tips)
    assert "1 inquiry was escalated to support: each is a buyer who waited more than 4 hours." in tips
    assert tips[-2].startswith("Use quick replies")
    assert tips[-1].startswith("Turn on notifications")


def test_below_seventy_five_two_quarters_running_is_a_penalty(seller):
    fill_quarter(seller, start=datetime(2026, 4, 1, tzinfo=UTC), on_time=7, late=3)  # Q2: 70 %
    fill_quarter(seller, start=Q3_START, on_time=74, late=26)  # Q3: 74 %
    standing = standing_decide(seller=seller, quarter="2026-Q3", now=AFTER_Q3)
    assert (standing.level, standing.within_target_pct) == (StandingLevel.PENALTY, Decimal("74.00"))


def test_one_quarter_below_seventy_five_is_only_a_warning(seller):
    fill_quarter(seller, start=datetime(2026, 4, 1, tzinfo=UTC), on_time=3, late=1)  # Q2: 75 % (not below)
    fill_quarter(seller, start=Q3_START, on_time=1, late=9)  # Q3: 10 %
    assert standing_decide(seller=seller, quarter="2026-Q3", now=AFTER_Q3).level == StandingLevel.WARNING


def test_the_previous_decision_is_the_record_for_the_penalty(seller):
    SellerStandingFactory(seller=seller, period="2026-Q2", within_target_pct=Decimal("50.00"))  # no rows behind it
    fill_quarter(seller, start=Q3_START, on_time=1, late=1)
    assert standing_decide(seller=seller, quarter="2026-Q3", now=AFTER_Q3).level == StandingLevel.PENALTY


def test_no_counted_inquiries_is_not_rated_and_not_notified(seller):
    inquiry_with_outcome(seller=seller, opened=Q3_START, outcome="excluded")
    standing = standing_decide(seller=seller, quarter="2026-Q3", now=AFTER_Q3)
    assert (standing.level, standing.inquiries, standing.within_target_pct) == (StandingLevel.NOT_RATED, 0, None)
    assert not Notification.objects.exists()


def test_deciding_twice_keeps_the_first_decision(seller):
    fill_quarter(seller, start=Q3_START, on_time=9, late=1)
    first = standing_decide(seller=seller, quarter="2026-Q3", now=AFTER_Q3)
    inquiry_with_outcome(seller=seller, opened=Q3_START, outcome="seller", after=LATE)  # late data changes nothing
    again = standing_decide(seller=seller, quarter="2026-Q3", now=AFTER_Q3 + timedelta(days=3))
    assert again.pk == first.pk and again.within_target_pct == Decimal("90.00")
    assert Notification.objects.filter(kind=Kind.SELLER_STANDING).count() == 1


def test_a_quarter_not_over_cannot_be_decided(seller):
    with pytest.raises(InvalidInput) as error:
        standing_decide(seller=seller, quarter="2026-Q4", now=AFTER_Q3)
    assert error.value.code == "quarter_not_over"
    assert not SellerStanding.objects.exists()


def _decide_quarter_queries(sellers: int) -> int:
    for _ in range(sellers):
        other = SellerFactory()
        SellerMemberFactory(seller=other)
        fill_quarter(other, start=datetime(2026, 4, 1, tzinfo=UTC), on_time=1, late=2)
    with CaptureQueriesContext(connection) as queries:
        standings_decide_quarter(quarter="2026-Q2", now=AFTER_Q3)
    SellerStanding.objects.all().delete()
    return len(queries)


def test_deciding_a_quarter_takes_the_same_queries_for_3_and_30_sellers(db):
    assert _decide_quarter_queries(3) == _decide_quarter_queries(30)


def test_quarter_for_all_sellers_is_set_based_and_idempotent(seller, django_assert_max_num_queries):
    fill_quarter(seller, start=Q3_START, on_time=9, late=1)
    others = [SellerFactory() for _ in range(5)]
    for other in others:
        SellerMemberFactory(seller=other)
        fill_quarter(other, start=Q3_START, on_time=1, late=1)
    quiet = SellerFactory()
    SellerFactory(is_active=False)  # no inquiries, inactive: not rated at all
    with django_assert_max_num_queries(16):  # batch of sellers + one more to see the end
        summary = standings_decide_quarter(quarter="2026-Q3", now=AFTER_Q3)
    assert summary == {"decided": 7, "already_decided": 0, "notified": 6}
    levels = dict(SellerStanding.objects.values_list("seller_id", "level"))
    assert levels[seller.pk] == StandingLevel.RESPONSIVE
    assert levels[quiet.pk] == StandingLevel.NOT_RATED
    assert {levels[other.pk] for other in others} == {StandingLevel.WARNING}
    # Same figures as one seller decided on its own.
    single = SellerFactory()
    fill_quarter(single, start=Q3_START, on_time=1, late=1)
    alone = standing_decide(seller=single, quarter="2026-Q3", now=AFTER_Q3)
    grouped = SellerStanding.objects.get(seller=others[0])
    assert (alone.level, alone.within_target_pct, alone.tips) == (
        grouped.level,
        grouped.within_target_pct,
        grouped.tips,
    )

    again = standings_decide_quarter(quarter="2026-Q3", now=AFTER_Q3 + timedelta(days=1))
    assert again == {"decided": 0, "already_decided": 8, "notified": 0}
    assert Notification.objects.filter(kind=Kind.SELLER_STANDING).count() == 6  # the single seller has no members


def test_quarterly_sweep_decides_the_quarter_that_ended_once(seller):
    sweep = get_sweep("inquiries_seller_standing")
    assert sweep.schedule == crontab(minute=15, hour=0, day_of_month=1, month_of_year="1,4,7,10")
    fill_quarter(seller, start=Q3_START, on_time=9, late=1)
    result = sweep_run("inquiries_seller_standing", now=AFTER_Q3)
    assert result == {"quarter": "2026-Q3", "decided": 1, "already_decided": 0, "notified": 1}
    # run_sweeps on any later day of the quarter changes nothing.
    later = sweep_run("inquiries_seller_standing", now=datetime(2026, 11, 20, tzinfo=UTC))
    assert later == {"quarter": "2026-Q3", "decided": 0, "already_decided": 1, "notified": 0}
    assert SellerStanding.objects.get().period == "2026-Q3"


def test_projection_is_what_the_quarter_would_give_now_without_writing(seller):
    fill_quarter(seller, start=datetime(2026, 10, 1, tzinfo=UTC), on_time=9, late=1)
    projection = standing_project(seller=seller, now=datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert (projection.period, projection.level) == ("2026-Q4", StandingLevel.RESPONSIVE)
    assert projection.metrics.within_target_pct == Decimal("90.00")
    assert projection.start == datetime(2026, 10, 1, tzinfo=UTC) and projection.end == datetime(2027, 1, 1, tzinfo=UTC)
    inquiry_with_outcome(seller=seller, opened=datetime(2026, 11, 2, 10, tzinfo=UTC), outcome="open")  # overdue now
    worse = standing_project(seller=seller, now=datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert (worse.level, worse.metrics.within_target_pct) == (StandingLevel.WARNING, Decimal("81.82"))
    assert worse.tips[0].startswith("9 of your 11 inquiries")
    assert not SellerStanding.objects.exists()


def test_moderator_overrides_with_a_reason_and_the_seller_is_told(seller):
    moderator = UserFactory(role=Role.MODERATOR, username="mod")
    standing = SellerStandingFactory(seller=seller, level=StandingLevel.PENALTY)
    now = datetime(2026, 10, 5, tzinfo=UTC)
    result = standing_override(
        standing=standing, level=StandingLevel.WARNING, reason="Outage on our side in August", actor=moderator, now=now
    )
    assert (result.level, result.overridden_level, result.effective_level) == (
        StandingLevel.PENALTY,
        StandingLevel.WARNING,
        StandingLevel.WARNING,
    )
    assert (result.override_reason, result.overridden_by, result.overridden_at) == (
        "Outage on our side in August",
        moderator,
        now,
    )
    notification = Notification.objects.get(kind=Kind.SELLER_STANDING)
    assert notification.recipient.username == "owner"
    assert notification.body == "Reviewed by our team: Outage on our side in August"


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.FINANCE, Role.SELLER, Role.BUYER])
def test_only_moderators_and_admins_override(seller, role):
    standing = SellerStandingFactory(seller=seller)
    with pytest.raises(Forbidden):
        standing_override(
            standing=standing, level=StandingLevel.RESPONSIVE, reason="x", actor=UserFactory(role=role), now=AFTER_Q3
        )
    standing.refresh_from_db()
    assert standing.overridden_level == "" and standing.overridden_at is None


def test_override_needs_a_reason_and_a_known_level(seller):
    standing = SellerStandingFactory(seller=seller)
    moderator = UserFactory(role=Role.MODERATOR)
    with pytest.raises(InvalidInput) as error:
        standing_override(standing=standing, level=StandingLevel.RESPONSIVE, reason="  ", actor=moderator, now=AFTER_Q3)
    assert error.value.field == "reason"
    with pytest.raises(InvalidInput) as error:
        standing_override(standing=standing, level="gold", reason="why", actor=moderator, now=AFTER_Q3)
    assert error.value.field == "level"
    standing.refresh_from_db()
    assert standing.overridden_level == ""
    assert not Notification.objects.exists()


# --- console --------------------------------------------------------------------------------------


def test_console_override_form_calls_the_service(seller, client):
    from tests.accounts.factories import AdminFactory

    standing = SellerStandingFactory(seller=seller, level=StandingLevel.PENALTY)
    client.force_login(AdminFactory())
    url = f"/admin/inquiries/sellerstanding/{standing.pk}/override/"
    assert client.get(url).status_code == 200
    assert client.get("/admin/inquiries/sellerstanding/").status_code == 200
    assert client.get(f"/admin/inquiries/sellerstanding/{standing.pk}/change/").status_code == 200
    assert client.post(url, {"level": "warning", "reason": ""}).status_code == 400  # the form again, with its error
    standing.refresh_from_db()
    assert standing.overridden_level == ""
    response = client.post(url, {"level": "warning", "reason": "Checked by hand"})
    assert response.status_code == 302
    standing.refresh_from_db()
    assert (standing.overridden_level, standing.override_reason) == ("warning", "Checked by hand")


def test_console_override_is_refused_to_support(seller, client):
    standing = SellerStandingFactory(seller=seller)
    client.force_login(UserFactory(role=Role.SUPPORT, is_staff=True))
    response = client.post(
        f"/admin/inquiries/sellerstanding/{standing.pk}/override/", {"level": "warning", "reason": "x"}
    )
    assert response.status_code == 404  # no view permission on standings: not found
    standing.refresh_from_db()
    assert standing.overridden_level == ""


def test_console_marks_exclusion_flags_reviewed(seller, client):
    from inquiries.models import ExclusionFlag
    from tests.accounts.factories import AdminFactory

    admin = AdminFactory()
    flag = ExclusionFlag.objects.create(seller=seller, month="2026-11", inquiries=20, excluded=9, created_at=AFTER_Q3)
    client.force_login(admin)
    assert client.get("/admin/inquiries/exclusionflag/?reviewed=no").status_code == 200
    response = client.post(
        "/admin/inquiries/exclusionflag/", {"action": "mark_reviewed", "_selected_action": [flag.pk]}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.reviewed_by == admin and flag.reviewed_at is not None
