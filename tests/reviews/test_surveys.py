"""A resolved review case and a recovery follow-up the customer confirmed resolved each schedule
the customer's survey (feedback's ``survey_request``) with their facts copied; an unresolved
follow-up, an open case and a refused resolution schedule none."""

from datetime import timedelta
from typing import Any

import pytest

from core.exceptions import Forbidden, StateConflict
from feedback.models import SurveyInvitation
from reviews.models import Review, ReviewCase
from reviews.services.cases import review_case_open, review_case_resolve
from reviews.services.responses import response_post
from reviews.services.reviews import follow_up_answer, review_create
from tests.reviews.factories import T0

HOUR = timedelta(hours=1)
DELAY = timedelta(minutes=30)


@pytest.fixture(autouse=True)
def _delay(settings: Any) -> None:
    settings.FEEDBACK_SURVEY_DELAY = DELAY


def _review(parties: dict[str, Any], rating: int) -> Review:
    return review_create(
        buyer=parties["buyer"],
        product=parties["product"],
        order=parties["order"],
        rating=rating,
        title="Broken lid",
        body="The lid broke on day one.",
        now=T0,
    )


def _case(parties: dict[str, Any], **kwargs: Any) -> ReviewCase:
    fields = {"buyer": parties["buyer"], "kind": "missing_review", "description": "My review vanished.", "now": T0}
    return review_case_open(**(fields | kwargs))


def test_resolving_a_review_case_schedules_its_survey(parties) -> None:
    review = _review(parties, rating=4)
    case = _case(parties, kind="wrong_product", review=review)

    review_case_resolve(case=case, actor=parties["support"], resolution="Moved it back.", now=T0 + 3 * HOUR)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.about_type, invitation.about_id, invitation.status) == ("review_case", case.pk, "scheduled")
    assert invitation.about_label == f"Review case {case.pk}: review on the wrong product"
    assert invitation.about_url == f"/reviews/cases/{case.pk}/"
    assert (invitation.customer, invitation.agent, invitation.seller, invitation.order) == (
        parties["buyer"],
        parties["support"],
        parties["seller"],
        parties["order"],
    )
    assert (invitation.channel, invitation.category, invitation.topic) == (
        "reviews",
        "customer_service",
        "wrong_product",
    )
    assert (invitation.resolution_seconds, invitation.send_after) == (3 * 3600, T0 + 3 * HOUR + DELAY)


@pytest.mark.parametrize(("about", "seller"), [("product", "seller"), ("other_product", "other_seller"), (None, None)])
def test_a_missing_review_case_names_the_store_of_its_product_or_its_order(parties, about, seller) -> None:
    records = {"product": parties[about]} if about else {"order": parties["order"]}
    case = _case(parties, **records)

    review_case_resolve(case=case, actor=parties["moderator"], resolution="Restored.", now=T0 + HOUR)

    expected = parties[seller] if seller else parties["seller"]  # the order's store
    assert SurveyInvitation.objects.get().seller == expected


def test_an_open_case_and_a_refused_resolution_schedule_no_survey(parties) -> None:
    case = _case(parties, product=parties["product"])
    with pytest.raises(Forbidden):
        review_case_resolve(case=case, actor=parties["member"], resolution="Done.", now=T0 + HOUR)
    assert not SurveyInvitation.objects.exists()

    review_case_resolve(case=case, actor=parties["support"], resolution="Done.", now=T0 + HOUR)
    with pytest.raises(StateConflict):
        review_case_resolve(case=case, actor=parties["support"], resolution="Again.", now=T0 + 2 * HOUR)
    assert SurveyInvitation.objects.get().resolved_at == T0 + HOUR


def test_a_recovery_the_customer_confirms_schedules_its_survey(parties) -> None:
    review = _review(parties, rating=1)
    response_post(review=review, author=parties["member"], body="Sorry! A new lid is on its way.", now=T0 + HOUR)

    follow_up = follow_up_answer(review=review, actor=parties["buyer"], resolved=True, now=T0 + 26 * HOUR)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.about_type, invitation.about_id, invitation.status) == ("recovery", follow_up.pk, "scheduled")
    assert invitation.about_label == "Your review “Broken lid”: putting it right"
    assert invitation.about_url == f"/reviews/{review.pk}/"
    assert (invitation.customer, invitation.seller, invitation.agent, invitation.order) == (
        parties["buyer"],
        parties["seller"],
        None,
        parties["order"],
    )
    assert (invitation.channel, invitation.category, invitation.topic) == ("reviews", "product", "recovery")
    assert (invitation.resolution_seconds, invitation.send_after) == (26 * 3600, T0 + 26 * HOUR + DELAY)


def test_a_recovery_support_answered_names_the_agent(parties) -> None:
    review = _review(parties, rating=2)
    response_post(review=review, author=parties["support"], body="Support here: refund sent.", now=T0 + HOUR)

    follow_up_answer(review=review, actor=parties["buyer"], resolved=True, now=T0 + 2 * HOUR)

    assert SurveyInvitation.objects.get().agent == parties["support"]


def test_an_unresolved_follow_up_is_not_surveyed_until_the_customer_confirms(parties) -> None:
    review = _review(parties, rating=1)
    response_post(review=review, author=parties["member"], body="Sorry!", now=T0 + HOUR)

    follow_up_answer(review=review, actor=parties["buyer"], resolved=False, comment="Still broken", now=T0 + 2 * HOUR)
    assert not SurveyInvitation.objects.exists()

    follow_up_answer(review=review, actor=parties["buyer"], resolved=True, now=T0 + 5 * HOUR)
    assert SurveyInvitation.objects.get().resolved_at == T0 + 5 * HOUR
