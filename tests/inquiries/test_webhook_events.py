"""The inquiries' webhook events, each written in the transaction of the change:

- ``conversation.opened`` when a buyer opens a conversation;
- ``conversation.answered`` for each wait's answer: the seller's or staff's first reply after the
  buyer's question (one per inquiry; a second reply while nothing waits, a close or a "no response
  needed" exclusion are not answers);
- ``conversation.escalated`` by the sweep, one per escalated inquiry, in one statement per batch
  (inquiries have no manual escalation);

and the conversation rendered for an event exactly as the API shows it to staff."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from core.exceptions import StateConflict
from inquiries.models import Conversation
from inquiries.services.messaging import conversation_close, conversation_open, inquiry_exclude, message_post
from inquiries.services.sweep import inquiries_escalate_overdue
from inquiries.webhook_resources import RESOURCES, conversations_render
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.test_sweep import overdue_inquiries
from tests.marketplace.factories import SellerFactory, SellerMemberFactory
from webhooks.models import Event
from webhooks.resources import render_resources

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def parties(db):  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    return {
        "seller": seller,
        "member": SellerMemberFactory(seller=seller),
        "buyer": BuyerFactory(),
        "support": UserFactory(role=Role.SUPPORT),
    }


def _ask(parties: dict[str, Any], *, at: datetime = T0) -> Conversation:
    return conversation_open(buyer=parties["buyer"], seller=parties["seller"], subject="Stock?", body="Hi", now=at)


def _events() -> list[tuple[str, int]]:
    return list(Event.objects.order_by("id").values_list("type", "resource_id"))


class _Boom(Exception):
    pass


def test_opening_a_conversation_writes_one_opened_event_at_now(parties):
    conversation = _ask(parties)

    assert _events() == [("conversation.opened", conversation.pk)]
    event = Event.objects.get()
    assert (event.resource_type, event.created_at, event.payload) == ("conversation", T0, None)


def test_an_opening_that_rolls_back_leaves_no_event(parties):
    with pytest.raises(_Boom), transaction.atomic():
        _ask(parties)
        raise _Boom

    assert Conversation.objects.count() == 0
    assert _events() == []


def test_each_wait_is_answered_once_by_the_seller_or_by_staff(parties):
    conversation = _ask(parties)

    message_post(conversation=conversation, author=parties["member"], body="Yes", now=T0 + HOUR)
    message_post(conversation=conversation, author=parties["member"], body="Anything else?", now=T0 + HOUR)
    message_post(conversation=conversation, author=parties["buyer"], body="And blue?", now=T0 + 2 * HOUR)
    message_post(conversation=conversation, author=parties["support"], body="Also blue", now=T0 + 3 * HOUR)

    assert _events() == [
        ("conversation.opened", conversation.pk),
        ("conversation.answered", conversation.pk),
        ("conversation.answered", conversation.pk),
    ]


def test_a_close_and_an_exclusion_are_not_answers_and_a_refused_reply_writes_nothing(parties):
    conversation = _ask(parties)
    first = conversation.messages.get(kind="buyer")
    inquiry_exclude(message=first, actor=parties["member"], reason="A thank-you", now=T0 + HOUR)
    message_post(conversation=conversation, author=parties["buyer"], body="Hello?", now=T0 + 2 * HOUR)
    conversation_close(conversation=conversation, actor=parties["buyer"], now=T0 + 3 * HOUR)

    with pytest.raises(StateConflict):
        message_post(conversation=conversation, author=parties["member"], body="Late", now=T0 + 4 * HOUR)

    assert _events() == [("conversation.opened", conversation.pk)]


def test_an_answer_that_rolls_back_leaves_no_event(parties):
    conversation = _ask(parties)

    with pytest.raises(_Boom), transaction.atomic():
        message_post(conversation=conversation, author=parties["member"], body="Yes", now=T0 + HOUR)
        raise _Boom

    assert _events() == [("conversation.opened", conversation.pk)]


def test_the_sweep_writes_one_escalated_event_per_inquiry_in_one_statement(parties, settings):
    settings.INQUIRIES_SWEEP_BATCH_SIZE = 5000
    Event.objects.all().delete()
    sellers = SellerFactory.create_batch(3)
    buyers = BuyerFactory.create_batch(4)
    inquiries = overdue_inquiries(30, opened=T0 - 5 * HOUR, sellers=sellers, buyers=buyers)

    with CaptureQueriesContext(connection) as queries:
        assert inquiries_escalate_overdue(now=T0) == 30

    inserts = [q for q in queries.captured_queries if q["sql"].lstrip().startswith('INSERT INTO "webhooks_event"')]
    assert len(inserts) == 1
    assert sorted(_events()) == sorted(("conversation.escalated", i.conversation_id) for i in inquiries)
    assert set(Event.objects.values_list("created_at", flat=True)) == {T0}
    assert inquiries_escalate_overdue(now=T0 + HOUR) == 0  # escalated once: no second event
    assert Event.objects.count() == 30


def test_a_failed_sweep_batch_leaves_no_event(parties, monkeypatch):
    overdue_inquiries(3, opened=T0 - 5 * HOUR, sellers=[parties["seller"]], buyers=[parties["buyer"]])

    def boom(*args: Any, **kwargs: Any) -> None:
        raise _Boom

    monkeypatch.setattr("inquiries.services.sweep.notify_many", boom)
    with pytest.raises(_Boom):
        inquiries_escalate_overdue(now=T0)

    assert _events() == []


# --- rendering ---------------------------------------------------------------------------------


def test_a_conversation_renders_as_the_api_shows_it_to_staff(parties, client_for):
    with time_machine.travel(T0 + 6 * HOUR, tick=False):
        conversation = _ask(parties, at=T0)
        inquiries_escalate_overdue(now=T0 + 5 * HOUR)  # a thread with the "support is on it" notice
        message_post(conversation=conversation, author=parties["member"], body="Sorry", now=T0 + 6 * HOUR)

        api = client_for(parties["support"]).get(f"/api/v1/conversations/{conversation.pk}/")
        rendered = render_resources("conversation", [conversation.pk])

    assert api.status_code == 200
    assert rendered == {conversation.pk: api.json()}
    assert [message["kind"] for message in api.json()["messages"]] == ["buyer", "auto_ack", "system", "seller"]
    assert set(RESOURCES) == {"conversation"}


def test_rendering_costs_the_same_statements_for_2_and_20(parties, django_assert_num_queries):
    ids = [_ask(parties, at=T0 + index * timedelta(seconds=1)).pk for index in range(20)]

    # the conversations with their clocks' state, their messages, their escalation notices
    with django_assert_num_queries(3):
        assert len(conversations_render(ids[:2])) == 2
    with django_assert_num_queries(3):
        assert len(conversations_render(ids)) == 20
