"""The reviews' webhook events, each written in the transaction of the change:

- ``review.posted`` when a buyer writes a review;
- ``review.responded`` when a response becomes visible with the review: at once when it passes the
  standards check (or comes from staff), or when a moderator approves a flagged one; never while
  it waits for moderation, nor when it is sent back or hidden;
- ``review.escalated`` by the sweep, one per review, in one statement per batch: a negative review
  unanswered past its clock, and a recovery follow-up still open after its period;
- ``review_case.resolved`` when a case is resolved;

and reviews and cases rendered for an event exactly as the API shows them to staff."""

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from core.exceptions import StateConflict
from reviews.models import Review
from reviews.services.cases import review_case_open, review_case_resolve
from reviews.services.responses import response_approve, response_hide, response_post
from reviews.services.reviews import review_create
from reviews.services.sweep import reviews_escalate_follow_ups, reviews_escalate_unanswered
from reviews.webhook_resources import RESOURCES, review_cases_render, reviews_render
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.reviews.factories import T0, ReviewCaseFactory, ReviewFactory
from tests.reviews.test_services_responses import GOOD
from tests.reviews.test_sweep import _due_reviews
from webhooks.models import Event
from webhooks.resources import render_resources

HOUR = timedelta(hours=1)


class _Boom(Exception):
    pass


def _events() -> list[tuple[str, int]]:
    return list(Event.objects.order_by("id").values_list("type", "resource_id"))


def _review(parties: dict[str, Any], *, rating: int = 2, buyer: Any = None) -> Review:
    return review_create(
        buyer=buyer or parties["buyer"], product=parties["product"], rating=rating, title="Late", body="Late.", now=T0
    )


def _event_inserts(queries: CaptureQueriesContext) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].lstrip().startswith('INSERT INTO "webhooks_event"'))


# --- review.posted -----------------------------------------------------------------------------


def test_writing_a_review_writes_one_posted_event_at_now(parties: dict[str, Any]) -> None:
    review = _review(parties)

    assert _events() == [("review.posted", review.pk)]
    event = Event.objects.get()
    assert (event.resource_type, event.created_at) == ("review", T0)


def test_a_second_review_of_the_product_and_a_rolled_back_one_write_no_event(parties: dict[str, Any]) -> None:
    review = _review(parties)
    with pytest.raises(StateConflict):
        _review(parties)
    with pytest.raises(_Boom), transaction.atomic():
        _review(parties, buyer=parties["other_buyer"])
        raise _Boom

    assert _events() == [("review.posted", review.pk)]


# --- review.responded ---------------------------------------------------------------------------


def test_a_clean_response_is_responded_at_once(parties: dict[str, Any]) -> None:
    review = _review(parties)
    Event.objects.all().delete()

    response_post(review=review, author=parties["member"], body=GOOD, now=T0 + HOUR)
    response_post(review=review, author=parties["support"], body="We are on it.", now=T0 + HOUR)

    assert _events() == [("review.responded", review.pk), ("review.responded", review.pk)]


def test_a_flagged_response_is_responded_only_when_a_moderator_approves_it(parties: dict[str, Any]) -> None:
    review = _review(parties)
    Event.objects.all().delete()
    flagged = response_post(review=review, author=parties["member"], body="Read it!!! Sorry.", now=T0 + HOUR)
    assert flagged.status == "pending_moderation"
    assert _events() == []

    response_approve(response=flagged, actor=parties["moderator"], now=T0 + 2 * HOUR)
    assert _events() == [("review.responded", review.pk)]

    response_hide(response=flagged, actor=parties["moderator"], reason="On second thought", now=T0 + 3 * HOUR)
    assert _events() == [("review.responded", review.pk)]


def test_a_response_that_rolls_back_writes_no_event(parties: dict[str, Any]) -> None:
    review = _review(parties)
    Event.objects.all().delete()

    with pytest.raises(_Boom), transaction.atomic():
        response_post(review=review, author=parties["member"], body=GOOD, now=T0 + HOUR)
        raise _Boom

    assert _events() == []


# --- review.escalated ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 60])
def test_the_sweep_writes_one_escalated_event_per_review_in_one_statement(db: Any, count: int) -> None:
    UserFactory(username="senior", role=Role.MODERATOR)
    _due_reviews(count)
    due = set(Review.objects.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        assert reviews_escalate_unanswered(now=T0 + 50 * HOUR) == count

    assert _event_inserts(queries) == 1
    assert sorted(_events()) == sorted(("review.escalated", pk) for pk in due)
    assert set(Event.objects.values_list("created_at", flat=True)) == {T0 + 50 * HOUR}
    assert reviews_escalate_unanswered(now=T0 + 60 * HOUR) == 0
    assert Event.objects.count() == count


def test_a_follow_up_left_open_is_escalated_with_one_event(parties: dict[str, Any]) -> None:
    review = _review(parties, rating=1)
    response_post(review=review, author=parties["member"], body=GOOD, now=T0)
    Event.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        assert reviews_escalate_follow_ups(now=T0 + settings.REVIEWS_FOLLOW_UP_PERIOD) == 1

    assert _event_inserts(queries) == 1
    assert _events() == [("review.escalated", review.pk)]


def test_a_failed_sweep_batch_leaves_no_event(db: Any, monkeypatch: Any) -> None:
    UserFactory(username="senior", role=Role.MODERATOR)
    _due_reviews(3)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise _Boom

    monkeypatch.setattr("reviews.services.sweep.notify_from_select", boom)
    with pytest.raises(_Boom):
        reviews_escalate_unanswered(now=T0 + 50 * HOUR)

    assert _events() == []


# --- review_case.resolved -------------------------------------------------------------------------


def test_resolving_a_case_writes_one_event_and_a_second_resolve_none(parties: dict[str, Any]) -> None:
    review = _review(parties)
    case = review_case_open(buyer=parties["buyer"], kind="wrong_product", description="x", review=review, now=T0)
    Event.objects.all().delete()

    review_case_resolve(case=case, actor=parties["support"], resolution="Fixed", now=T0 + HOUR)
    with pytest.raises(StateConflict):
        review_case_resolve(case=case, actor=parties["support"], resolution="Again", now=T0 + HOUR)
    with pytest.raises(_Boom), transaction.atomic():
        other = ReviewCaseFactory(buyer=BuyerFactory())
        review_case_resolve(case=other, actor=parties["support"], resolution="Fixed", now=T0 + HOUR)
        raise _Boom

    assert _events() == [("review_case.resolved", case.pk)]
    assert Event.objects.get().resource_type == "review_case"


# --- rendering ----------------------------------------------------------------------------------


def test_a_review_renders_as_the_api_shows_it_to_staff(parties: dict[str, Any], client_for: Any) -> None:
    review = _review(parties, rating=1)
    response_post(review=review, author=parties["member"], body=GOOD, now=T0 + HOUR)
    response_post(review=review, author=parties["support"], body="We are on it.", now=T0 + HOUR)

    api = client_for(parties["support"]).get(f"/api/v1/reviews/{review.pk}/")

    assert api.status_code == 200
    assert render_resources("review", [review.pk]) == {review.pk: api.json()}
    assert len(api.json()["responses"]) == 2
    assert api.json()["follow_up"] is not None


def test_a_case_renders_as_the_api_shows_it_to_staff(parties: dict[str, Any], client_for: Any) -> None:
    review = _review(parties)
    case = review_case_open(buyer=parties["buyer"], kind="wrong_product", description="x", review=review, now=T0)
    review_case_resolve(
        case=case, actor=parties["support"], resolution="Fixed", compensation_amount="5.00", now=T0 + HOUR
    )

    api = client_for(parties["support"]).get(f"/api/v1/review-cases/{case.pk}/")

    assert api.status_code == 200
    assert render_resources("review_case", [case.pk]) == {case.pk: api.json()}
    assert (api.json()["compensation_amount"], len(api.json()["events"])) == ("5.00", 2)
    assert set(RESOURCES) == {"review", "review_case"}


@pytest.mark.parametrize(
    ("render", "make", "statements"),
    [
        (reviews_render, lambda: ReviewFactory(rating=1, escalate_at=T0 + 48 * HOUR), 2),
        (review_cases_render, ReviewCaseFactory, 2),
    ],
)
def test_rendering_costs_the_same_statements_for_2_and_20(
    db: Any, django_assert_num_queries: Any, render: Any, make: Any, statements: int
) -> None:
    ids = [make().pk for _ in range(20)]

    with django_assert_num_queries(statements):
        assert len(render(ids[:2])) == 2
    with django_assert_num_queries(statements):
        assert len(render(ids)) == 20
