"""Answering a survey: the answer is stored once with the invitation's facts and categorised;
unknown, unsent or withdrawn tokens are 404, expired 410, answered 409, bad answers 400 on the
field — each refusal changes nothing; on PostgreSQL two POSTs at once write one response."""

from datetime import timedelta

import pytest

from core.exceptions import Gone, InvalidInput, NotFound, StateConflict
from feedback.models import InvitationStatus, SurveyInvitation, SurveyResponse
from feedback.services.answers import survey_answer
from tests.feedback.factories import (
    T0,
    CategoryRuleFactory,
    ScheduledInvitationFactory,
    SurveyInvitationFactory,
)
from tests.marketplace.factories import SellerFactory
from tests.utils import requires_postgres, run_at_once

pytestmark = pytest.mark.django_db
LATER = T0 + timedelta(hours=2)


def _answer(token: str, **answers: object) -> SurveyResponse:
    return survey_answer(token=token, **{"overall": 5, **answers}, now=LATER)  # type: ignore[arg-type]


def test_an_answer_copies_the_invitations_facts_and_spends_the_token() -> None:
    seller = SellerFactory()
    invitation = SurveyInvitationFactory(seller=seller, channel="chat", category="technical", resolution_seconds=3600)

    response = _answer(
        invitation.token,
        overall=4,
        ease="2",
        clear_solution=True,
        response_time_ok="no",
        issues="  It took long.  ",
        suggestions="",
        category="payment_billing",
    )

    response.refresh_from_db()
    assert (response.overall, response.satisfied, response.ease) == (4, True, 2)
    assert (response.clear_solution, response.response_time_ok) == (True, False)
    assert (response.issues, response.suggestions) == ("It took long.", "")
    assert (response.category, response.category_source) == ("payment_billing", "user")
    assert (response.seller_id, response.channel, response.interaction_type) == (seller.pk, "chat", "ticket")
    assert (response.resolution_seconds, response.created_at) == (3600, LATER)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answered_at) == (InvitationStatus.ANSWERED, LATER)


def test_three_is_not_satisfied() -> None:
    response = _answer(SurveyInvitationFactory().token, overall=3)
    assert response.satisfied is False


def test_without_a_chosen_category_the_first_matching_keyword_rule_decides() -> None:
    CategoryRuleFactory(keyword="refund", category="payment_billing", position=20)
    CategoryRuleFactory(keyword="late parcel", category="shipping_delivery", position=10)
    CategoryRuleFactory(keyword="dark mode", category="", marks_feature_request=True, position=5)

    response = _answer(
        SurveyInvitationFactory().token, issues="A LATE\n parcel and no refund", suggestions="Dark mode please"
    )

    assert (response.category, response.category_source, response.is_feature_request) == (
        "shipping_delivery",
        "rule",
        True,
    )


def test_a_keyword_matches_whole_words_only_and_inactive_rules_never() -> None:
    CategoryRuleFactory(keyword="refund", category="payment_billing")
    CategoryRuleFactory(keyword="app", category="technical", is_active=False)

    response = _answer(SurveyInvitationFactory().token, issues="I was refunded via the app")

    assert (response.category, response.category_source, response.is_feature_request) == ("", "none", False)


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"overall": None}, "overall"),
        ({"overall": 0}, "overall"),
        ({"overall": 6}, "overall"),
        ({"overall": True}, "overall"),
        ({"overall": "five"}, "overall"),
        ({"ease": 9}, "ease"),
        ({"clear_solution": "maybe"}, "clear_solution"),
        ({"response_time_ok": 3}, "response_time_ok"),
        ({"issues": "x" * 2001}, "issues"),
        ({"suggestions": "a\x00b"}, "suggestions"),
        ({"issues": ["a list"]}, "issues"),
        ({"category": "weather"}, "category"),
    ],
)
def test_a_bad_answer_is_refused_on_its_field_and_changes_nothing(answers, field) -> None:
    invitation = SurveyInvitationFactory()

    with pytest.raises(InvalidInput) as refused:
        _answer(invitation.token, **answers)

    assert refused.value.field == field
    assert SurveyResponse.objects.count() == 0
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answered_at) == (InvitationStatus.SENT, None)


@pytest.mark.parametrize("status", [InvitationStatus.SCHEDULED, InvitationStatus.WITHDRAWN])
def test_an_unsent_or_withdrawn_survey_is_not_found(status) -> None:
    invitation = ScheduledInvitationFactory(status=status)
    with pytest.raises(NotFound):
        _answer(invitation.token)
    assert SurveyResponse.objects.count() == 0


def test_an_unknown_token_is_not_found() -> None:
    SurveyInvitationFactory()
    with pytest.raises(NotFound):
        _answer("no-such-token")
    assert SurveyResponse.objects.count() == 0


def test_an_expired_survey_is_gone_from_its_expiry_on() -> None:
    invitation = SurveyInvitationFactory(expires_at=LATER)
    with pytest.raises(Gone) as refused:
        _answer(invitation.token)
    assert refused.value.code == "expired"
    assert SurveyInvitation.objects.get().status == InvitationStatus.SENT
    assert SurveyResponse.objects.count() == 0


def test_a_second_answer_is_a_conflict_and_keeps_the_first() -> None:
    invitation = SurveyInvitationFactory()
    first = _answer(invitation.token, overall=2)

    with pytest.raises(StateConflict) as refused:
        _answer(invitation.token, overall=5)

    assert refused.value.code == "already_answered"
    assert list(SurveyResponse.objects.values_list("pk", "overall")) == [(first.pk, 2)]


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_answers_at_once_write_one_response_and_the_other_is_a_conflict() -> None:
    invitation = SurveyInvitationFactory()

    results = run_at_once(2, lambda index: _answer(invitation.token, overall=index + 4))

    assert sorted(type(result).__name__ for result in results) == ["StateConflict", "SurveyResponse"]
    assert SurveyResponse.objects.count() == 1
