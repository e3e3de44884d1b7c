"""Feedback's webhook event: ``survey.answered`` (resource ``survey_response``) when a customer
answers a survey, written in the answer's transaction; a refused answer (unknown, expired, already
answered, invalid) writes none. The answer is rendered for the event with the API's answer fields
(as ``POST /surveys/<token>/`` returns them) plus its id and what the CSAT reports group it by."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction

from core.exceptions import Gone, InvalidInput, StateConflict
from feedback.services.answers import survey_answer
from feedback.webhook_resources import RESOURCES, survey_responses_render
from tests.feedback.factories import T0, SurveyInvitationFactory, SurveyResponseFactory
from tests.marketplace.factories import OrderFactory
from webhooks.models import Event
from webhooks.resources import render_resources

pytestmark = pytest.mark.django_db
LATER = T0 + timedelta(hours=2)


class _Boom(Exception):
    pass


def _events() -> list[tuple[str, str, int]]:
    return list(Event.objects.order_by("id").values_list("type", "resource_type", "resource_id"))


def test_an_answer_writes_one_event_for_the_response_at_now() -> None:
    invitation = SurveyInvitationFactory()

    response = survey_answer(token=invitation.token, overall=5, now=LATER)

    assert _events() == [("survey.answered", "survey_response", response.pk)]
    assert Event.objects.get().created_at == LATER


def test_refused_and_rolled_back_answers_write_no_event() -> None:
    answered = SurveyInvitationFactory()
    survey_answer(token=answered.token, overall=5, now=LATER)
    Event.objects.all().delete()
    expired = SurveyInvitationFactory(expires_at=T0 + timedelta(hours=1))
    fresh = SurveyInvitationFactory()

    with pytest.raises(StateConflict):
        survey_answer(token=answered.token, overall=5, now=LATER)
    with pytest.raises(Gone):
        survey_answer(token=expired.token, overall=5, now=LATER)
    with pytest.raises(InvalidInput):
        survey_answer(token=fresh.token, overall=9, now=LATER)
    with pytest.raises(_Boom), transaction.atomic():
        survey_answer(token=fresh.token, overall=3, now=LATER)
        raise _Boom

    assert _events() == []


def test_the_answer_renders_with_the_apis_fields_and_what_the_reports_group_by(api_client) -> None:
    order = OrderFactory()
    invitation = SurveyInvitationFactory(
        seller=order.seller, order=order, channel="chat", category="technical", resolution_seconds=3600
    )
    body = {"overall": 2, "ease": 3, "clear_solution": False, "issues": "Slow refund", "category": "payment_billing"}
    with time_machine.travel(LATER, tick=False):
        posted = api_client.post(f"/api/v1/surveys/{invitation.token}/", body, format="json")
    assert posted.status_code == 201
    response_id = Event.objects.get().resource_id

    rendered = render_resources("survey_response", [response_id])[response_id]

    assert {key: rendered[key] for key in posted.json()} == posted.json()
    assert rendered == {
        "id": response_id,
        "invitation": invitation.pk,
        "about": invitation.about_label,
        "about_type": "ticket",
        "about_id": invitation.about_id,
        "customer": invitation.customer_id,
        "seller": order.seller_id,
        "agent": None,
        "order": order.pk,
        "channel": "chat",
        **posted.json(),
        "resolution_seconds": 3600,
    }
    assert posted.json()["satisfied"] is False
    assert posted.json()["created_at"] == "2026-11-23T11:00:00Z"
    assert "token" not in rendered
    assert set(RESOURCES) == {"survey_response"}


def test_rendering_costs_one_statement_for_2_and_20(django_assert_num_queries) -> None:
    ids = [SurveyResponseFactory().pk for _ in range(20)]

    with django_assert_num_queries(1):
        assert len(survey_responses_render(ids[:2])) == 2
    with django_assert_num_queries(1):
        assert len(survey_responses_render(ids)) == 20
