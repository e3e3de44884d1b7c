"""A buyer-seller conversation is surveyed once (feedback's ``survey_request``): when a wait is
answered (by the seller, or by support once escalated) or closed; the buyer writing again withdraws
a survey not sent yet, the next answer re-arms the same invitation; a thank-you the seller marks
"no response needed" re-arms it too."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.models import Role
from core.exceptions import Forbidden
from feedback.models import SurveyInvitation
from inquiries.models import Conversation, Message
from inquiries.services.messaging import conversation_close, conversation_open, inquiry_exclude, message_post
from inquiries.services.sweep import inquiries_sweep
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DELAY = timedelta(minutes=30)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def parties(db: Any, settings: Any) -> dict[str, Any]:
    settings.FEEDBACK_SURVEY_DELAY = DELAY
    seller = SellerFactory(name="Northwind")
    return {
        "seller": seller,
        "member": SellerMemberFactory(seller=seller),
        "buyer": BuyerFactory(username="carol"),
        "agent": UserFactory(username="agent", role=Role.SUPPORT),
    }


def _open(parties: dict[str, Any], **kwargs: Any) -> Conversation:
    fields = {
        "buyer": parties["buyer"],
        "seller": parties["seller"],
        "subject": "Does it come in blue?",
        "body": "Hello, does it come in blue?",
        "now": T0,
    } | kwargs
    return conversation_open(**fields)


def test_the_sellers_answer_schedules_the_conversations_survey(parties) -> None:
    conversation = _open(parties)
    assert not SurveyInvitation.objects.exists()  # a question alone is not surveyed

    message_post(conversation=conversation, author=parties["member"], body="Yes, it does.", now=T0 + 90 * MINUTE)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.about_type, invitation.about_id, invitation.status) == (
        "conversation",
        conversation.pk,
        "scheduled",
    )
    assert invitation.about_label == "Your question to Northwind: Does it come in blue?"
    assert invitation.about_url == f"/messages/{conversation.pk}/"
    assert (invitation.customer, invitation.seller, invitation.agent, invitation.order) == (
        parties["buyer"],
        parties["seller"],
        None,
        None,
    )
    assert (invitation.channel, invitation.category, invitation.topic) == ("messaging", "customer_service", "question")
    assert (invitation.resolved_at, invitation.resolution_seconds, invitation.send_after) == (
        T0 + 90 * MINUTE,
        90 * 60,
        T0 + 90 * MINUTE + DELAY,
    )


def test_a_product_question_is_a_product_matter_and_an_order_question_names_the_order(parties) -> None:
    product = ProductFactory(seller=parties["seller"])
    order = OrderFactory(buyer=parties["buyer"], seller=parties["seller"])
    about_product = _open(parties, product=product)
    about_order = _open(parties, product=product, order=order, subject="Where is my order?")
    for conversation in (about_product, about_order):
        message_post(conversation=conversation, author=parties["member"], body="Answer.", now=T0 + MINUTE)

    facts = {
        row["about_id"]: (row["category"], row["topic"], row["order_id"])
        for row in SurveyInvitation.objects.values("about_id", "category", "topic", "order_id")
    }
    assert facts == {
        about_product.pk: ("product", "product_question", None),
        about_order.pk: ("customer_service", "question", order.pk),
    }


def test_supports_answer_to_an_escalated_conversation_names_the_agent(parties) -> None:
    conversation = _open(parties)
    inquiries_sweep(now=T0 + timedelta(hours=4))

    message_post(
        conversation=conversation, author=parties["agent"], body="Support here: yes.", now=T0 + 5 * 60 * MINUTE
    )

    invitation = SurveyInvitation.objects.get()
    assert (invitation.agent, invitation.seller, invitation.resolution_seconds) == (
        parties["agent"],
        parties["seller"],
        5 * 3600,
    )


def test_more_messages_after_the_answer_keep_one_survey(parties) -> None:
    conversation = _open(parties)
    message_post(conversation=conversation, author=parties["member"], body="Yes.", now=T0 + MINUTE)
    message_post(conversation=conversation, author=parties["member"], body="Also green.", now=T0 + 2 * MINUTE)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.status, invitation.resolved_at) == ("scheduled", T0 + MINUTE)


def test_the_buyer_writing_again_withdraws_the_survey_and_the_next_answer_re_arms_it(parties) -> None:
    conversation = _open(parties)
    message_post(conversation=conversation, author=parties["member"], body="Yes.", now=T0 + MINUTE)
    token = SurveyInvitation.objects.get().token

    message_post(conversation=conversation, author=parties["buyer"], body="And in red?", now=T0 + 10 * MINUTE)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.status, invitation.withdrawn_at) == ("withdrawn", T0 + 10 * MINUTE)

    message_post(conversation=conversation, author=parties["member"], body="No red.", now=T0 + 70 * MINUTE)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.status, invitation.token, invitation.withdrawn_at) == ("scheduled", token, None)
    assert (invitation.resolved_at, invitation.resolution_seconds, invitation.send_after) == (
        T0 + 70 * MINUTE,
        60 * 60,
        T0 + 70 * MINUTE + DELAY,
    )


def test_a_survey_already_sent_stays_when_the_buyer_writes_again(parties) -> None:
    conversation = _open(parties)
    message_post(conversation=conversation, author=parties["member"], body="Yes.", now=T0 + MINUTE)
    SurveyInvitation.objects.update(status="sent", sent_at=T0 + 40 * MINUTE)

    message_post(conversation=conversation, author=parties["buyer"], body="Thanks!", now=T0 + 50 * MINUTE)
    message_post(conversation=conversation, author=parties["member"], body="Welcome.", now=T0 + 60 * MINUTE)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.status, invitation.resolved_at, invitation.withdrawn_at) == ("sent", T0 + MINUTE, None)


def test_a_thank_you_marked_no_response_needed_re_arms_the_last_answers_survey(parties) -> None:
    conversation = _open(parties)
    inquiries_sweep(now=T0 + timedelta(hours=4))
    message_post(conversation=conversation, author=parties["agent"], body="Yes.", now=T0 + 5 * 60 * MINUTE)
    thanks = message_post(conversation=conversation, author=parties["buyer"], body="Thanks!", now=T0 + 6 * 60 * MINUTE)
    assert SurveyInvitation.objects.get().status == "withdrawn"

    excluded_at = T0 + 7 * 60 * MINUTE
    inquiry_exclude(message=thanks, actor=parties["member"], reason="A thank-you.", now=excluded_at)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.status, invitation.agent, invitation.resolved_at, invitation.resolution_seconds) == (
        "scheduled",
        parties["agent"],
        T0 + 5 * 60 * MINUTE,
        5 * 3600,
    )
    assert invitation.send_after == excluded_at + DELAY


def test_excluding_a_first_message_never_answered_surveys_nothing(parties) -> None:
    conversation = _open(parties)
    spam = Message.objects.get(conversation=conversation, kind="buyer")

    inquiry_exclude(message=spam, actor=parties["member"], reason="Spam.", now=T0 + MINUTE)

    assert not SurveyInvitation.objects.exists()


def test_closing_a_waiting_conversation_surveys_it_and_support_closing_names_the_agent(parties) -> None:
    by_buyer = _open(parties)
    by_support = _open(parties, subject="Is it in stock?")

    conversation_close(conversation=by_buyer, actor=parties["buyer"], now=T0 + 20 * MINUTE)
    conversation_close(conversation=by_support, actor=parties["agent"], now=T0 + 30 * MINUTE)

    rows = {
        row["about_id"]: (row["status"], row["agent_id"], row["resolution_seconds"])
        for row in SurveyInvitation.objects.values("about_id", "status", "agent_id", "resolution_seconds")
    }
    assert rows == {
        by_buyer.pk: ("scheduled", None, 20 * 60),
        by_support.pk: ("scheduled", parties["agent"].pk, 30 * 60),
    }


def test_closing_an_answered_conversation_keeps_the_answers_survey(parties) -> None:
    conversation = _open(parties)
    message_post(conversation=conversation, author=parties["member"], body="Yes.", now=T0 + MINUTE)

    conversation_close(conversation=conversation, actor=parties["buyer"], now=T0 + 10 * MINUTE)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.status, invitation.resolved_at, invitation.send_after) == (
        "scheduled",
        T0 + MINUTE,
        T0 + MINUTE + DELAY,
    )


def test_a_refused_close_surveys_nothing(parties) -> None:
    conversation = _open(parties)

    with pytest.raises(Forbidden):
        conversation_close(conversation=conversation, actor=parties["member"], now=T0 + MINUTE)

    assert not SurveyInvitation.objects.exists()
