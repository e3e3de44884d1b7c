"""The reviews sweep: a negative review unanswered at 48 h is escalated to senior support exactly
once; answered, hidden or positive ones never; follow-ups open past their period are escalated
once; statement counts do not grow with the number due; four sweeps at once on PostgreSQL
escalate each review once."""

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from core.sweeps import get_sweep
from notifications.models import Notification
from reviews.models import FollowUpStatus, RecoveryFollowUp, ResponseClock, Review, ReviewEvent
from reviews.notices import Kind
from reviews.services.responses import response_hide, response_post
from reviews.services.reviews import review_create, review_hide
from reviews.services.sweep import reviews_escalate_unanswered, reviews_sweep
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import ProductFactory, SellerFactory, SellerMemberFactory
from tests.reviews.factories import T0, ReviewFactory
from tests.utils import requires_postgres, run_at_once

HOUR = timedelta(hours=1)


def _negative(parties: dict[str, Any], *, buyer: Any = None, product: Any = None) -> Review:
    return review_create(
        buyer=buyer or BuyerFactory(),
        product=product or parties["product"],
        rating=1,
        title="Broken",
        body="Arrived broken.",
        now=T0,
    )


def _escalated_events() -> list[int]:
    """The reviews whose history says "escalated": read from their clocks (the sweep writes no event)."""
    return sorted(ResponseClock.objects.filter(escalated_at__isnull=False).values_list("review_id", flat=True))


def test_the_sweep_is_registered() -> None:
    sweep = get_sweep("reviews_response_clock")
    assert sweep.schedule == timedelta(minutes=5)


def test_an_unanswered_negative_review_is_escalated_once_at_48_hours(parties: dict[str, Any]) -> None:
    review = _negative(parties)
    assert reviews_sweep(now=T0 + 47 * HOUR) == {"escalated": 0, "follow_ups_escalated": 0}
    assert reviews_sweep(now=T0 + 48 * HOUR) == {"escalated": 1, "follow_ups_escalated": 0}
    review.refresh_from_db()
    assert review.escalated_at == T0 + 48 * HOUR
    assert _escalated_events() == [review.pk]
    told = Notification.objects.filter(kind=Kind.REVIEW_ESCALATED)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["moderator-1", "northwind-owner"]
    assert reviews_sweep(now=T0 + 49 * HOUR) == {"escalated": 0, "follow_ups_escalated": 0}
    assert told.count() == 2


def test_answered_hidden_and_positive_reviews_are_not_escalated(parties: dict[str, Any]) -> None:
    answered = _negative(parties)
    response_post(review=answered, author=parties["member"], body="We are sorry, a refund is on its way.", now=T0)
    hidden = _negative(parties)
    review_hide(review=hidden, actor=parties["moderator"], reason="fake", now=T0)
    review_create(buyer=BuyerFactory(), product=parties["product"], rating=5, title="Top", body="Top.", now=T0)
    assert reviews_escalate_unanswered(now=T0 + 100 * HOUR) == 0


def test_a_follow_up_left_open_is_escalated_once_after_its_period(parties: dict[str, Any]) -> None:
    review = _negative(parties)
    response_post(review=review, author=parties["member"], body="We are sorry, a refund is on its way.", now=T0)
    period = settings.REVIEWS_FOLLOW_UP_PERIOD
    assert reviews_sweep(now=T0 + period - HOUR)["follow_ups_escalated"] == 0
    assert reviews_sweep(now=T0 + period)["follow_ups_escalated"] == 1
    follow_up = RecoveryFollowUp.objects.get(review=review)
    assert (follow_up.status, follow_up.escalated_at) == (FollowUpStatus.ESCALATED, T0 + period)
    assert reviews_sweep(now=T0 + 2 * period)["follow_ups_escalated"] == 0
    assert ReviewEvent.objects.filter(review=review, kind="follow_up_escalated").count() == 1


def _due_reviews(count: int) -> None:
    """``count`` negative, unanswered reviews past ``escalate_at`` over three sellers."""
    sellers = SellerFactory.create_batch(3)
    for seller in sellers:
        SellerMemberFactory(seller=seller)
    products = [ProductFactory(seller=seller) for seller in sellers]
    for index in range(count):
        product = products[index % 3]
        ReviewFactory(product=product, rating=1, escalate_at=T0 + 48 * HOUR)


@pytest.mark.parametrize("count", [10, 200])
def test_statement_count_does_not_grow_with_the_number_due(db: Any, count: int) -> None:
    UserFactory(username="senior", role=Role.MODERATOR)
    _due_reviews(count)
    with CaptureQueriesContext(connection) as queries:
        assert reviews_escalate_unanswered(now=T0 + 50 * HOUR) == count
    # The look whether anything is due, savepoint, claim-and-mark, staff, their digest's titles, staff
    # digests, seller members' digests, the webhook events (one INSERT ... SELECT), release, whatever
    # the count; on PostgreSQL the claim's planner setting and its reset.
    statements = [query["sql"] for query in queries]
    assert len(statements) == (11 if connection.vendor == "postgresql" else 9), statements
    assert not ReviewEvent.objects.filter(kind="escalated").exists()  # one clock row per review, nothing else
    assert len(_escalated_events()) == count


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_sweeps_at_once_escalate_each_review_once(settings: Any) -> None:
    settings.REVIEWS_SWEEP_BATCH_SIZE = 25
    UserFactory(username="senior", role=Role.MODERATOR)
    _due_reviews(300)
    results = run_at_once(4, lambda index: reviews_escalate_unanswered(now=T0 + 50 * HOUR))
    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(result for result in results if isinstance(result, int)) == 300
    assert len(_escalated_events()) == 300 == len(set(_escalated_events()))
    assert Review.objects.filter(clock__escalated_at__isnull=True).count() == 0


def test_the_clock_stops_when_answered_and_runs_on_when_the_only_response_is_hidden(parties: dict[str, Any]) -> None:
    review = _negative(parties)
    response = response_post(review=review, author=parties["member"], body="We are sorry, a refund is sent.", now=T0)
    assert ResponseClock.objects.get(review=review).stopped_at == T0
    response_hide(response=response, actor=parties["moderator"], reason="Not a real answer", now=T0 + HOUR)
    assert ResponseClock.objects.get(review=review).stopped_at is None
    assert reviews_escalate_unanswered(now=T0 + 48 * HOUR) == 1
    review = Review.objects.select_related("clock").get(pk=review.pk)
    assert (review.escalate_at, review.escalated_at) == (T0 + 48 * HOUR, T0 + 48 * HOUR)


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sweep_never_waits_for_a_response_being_posted_and_the_response_stops_the_clock() -> None:
    """``response_post`` locks the review, then stops its clock. The sweep locks only clocks, so a
    response still being written (review locked, not committed) neither blocks it nor deadlocks with
    it: the review is due and unanswered when the sweep looks, so it escalates, and the response,
    committing after, stops the clock (answered, and escalated once)."""
    seller = SellerFactory(name="Northwind")
    member = SellerMemberFactory(seller=seller)
    UserFactory(role=Role.MODERATOR)
    review = review_create(
        buyer=BuyerFactory(), product=ProductFactory(seller=seller), rating=1, title="Broken", body="Broken.", now=T0
    )
    due = T0 + 48 * HOUR
    review_locked = threading.Event()
    sweep_done = threading.Event()

    def respond() -> object:
        with transaction.atomic():
            Review.objects.select_for_update().get(pk=review.pk)  # response_post's first step, held
            review_locked.set()
            sweep_done.wait(timeout=15)
            return response_post(review=review, author=member, body="We are sorry, a refund is sent.", now=due)

    def sweep() -> object:
        review_locked.wait(timeout=10)
        started = time.monotonic()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            return reviews_escalate_unanswered(now=due), time.monotonic() - started
        finally:
            sweep_done.set()

    responded, swept = run_at_once(2, lambda index: (respond, sweep)[index]())

    assert not isinstance(responded, Exception), responded
    assert not isinstance(swept, Exception), swept
    escalated, seconds = swept  # type: ignore[misc]
    assert escalated == 1
    assert seconds < 2, f"the sweep waited {seconds:.1f} s for the review"
    clock = ResponseClock.objects.get(review=review)
    assert (clock.escalated_at, clock.stopped_at) == (due, due)
    assert reviews_escalate_unanswered(now=due + HOUR) == 0


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sweep_skips_a_clock_a_response_has_just_stopped() -> None:
    """A response that has stopped the clock but not committed yet holds the clock row: the sweep
    skips it instead of waiting, and it is never escalated: the response won."""
    seller = SellerFactory(name="Northwind")
    member = SellerMemberFactory(seller=seller)
    UserFactory(role=Role.MODERATOR)
    review = review_create(
        buyer=BuyerFactory(), product=ProductFactory(seller=seller), rating=1, title="Broken", body="Broken.", now=T0
    )
    due = T0 + 48 * HOUR
    responded_event = threading.Event()
    sweep_done = threading.Event()

    def respond() -> object:
        with transaction.atomic():
            response = response_post(review=review, author=member, body="We are sorry, a refund is sent.", now=due)
            responded_event.set()
            sweep_done.wait(timeout=15)
            return response

    def sweep() -> object:
        responded_event.wait(timeout=10)
        started = time.monotonic()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            return reviews_escalate_unanswered(now=due), time.monotonic() - started
        finally:
            sweep_done.set()

    responded, swept = run_at_once(2, lambda index: (respond, sweep)[index]())

    assert not isinstance(responded, Exception), responded
    assert not isinstance(swept, Exception), swept
    escalated, seconds = swept  # type: ignore[misc]
    assert escalated == 0
    assert seconds < 2, f"the sweep waited {seconds:.1f} s for the clock"
    clock = ResponseClock.objects.get(review=review)
    assert (clock.escalated_at, clock.stopped_at) == (None, due)
    assert reviews_escalate_unanswered(now=due + HOUR) == 0


def test_digests_count_each_sellers_reviews_and_name_them(parties: dict[str, Any]) -> None:
    for title, product in (("Cracked lid", "product"), ("Wrong colour", "second_product"), ("Late", "other_product")):
        review_create(buyer=BuyerFactory(), product=parties[product], rating=1, title=title, body="Bad.", now=T0)
    assert reviews_escalate_unanswered(now=T0 + 48 * HOUR) == 3
    told = {
        notice.recipient.username: notice
        for notice in Notification.objects.filter(kind=Kind.REVIEW_ESCALATED).select_related("recipient")
    }
    assert set(told) == {"moderator-1", "northwind-owner", "southwind-owner"}
    northwind = told["northwind-owner"]
    assert northwind.title == "2 of your reviews escalated to senior support: negative, unanswered after 48 h"
    assert sorted(northwind.body.split("; ")) == ["Cracked lid", "Wrong colour"]
    assert northwind.link == "/seller/reviews/"
    assert told["southwind-owner"].title.startswith("1 of your reviews escalated")
    assert told["southwind-owner"].body == "Late"
    staff = told["moderator-1"]
    assert staff.title == "3 reviews escalated: negative, unanswered after 48 h"
    assert staff.body == "Cracked lid; Wrong colour; Late"
    assert staff.link == "/admin/reviews/review/?escalated=unanswered"
