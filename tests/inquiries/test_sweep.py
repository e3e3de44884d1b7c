"""The response-clock sweep: warn once at 3 h, escalate once at 4 h, catch up after an outage, and
do it in a fixed number of statements per batch however many inquiries are due.

Decision pinned here (``test_outage_catch_up_...``): an inquiry whose deadline passed while no sweep
ran, and that was never warned, is escalated *without* a warning. The warning says "will be
escalated within the hour"; sent at the same moment as the escalation it would only be noise, and
the escalation notice already tells the seller members.

Concurrency on real PostgreSQL (four sweeps at once, a reply racing the sweep) is in
``test_sweep_concurrency.py``.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role, User
from inquiries.models import (
    Conversation,
    ConversationEvent,
    ConversationStatus,
    Escalation,
    Inquiry,
    InquiryClock,
    InquiryStatus,
    Message,
    MessageKind,
)
from inquiries.notices import Kind
from inquiries.selectors.conversations import conversation_status_q
from inquiries.selectors.pages import conversation_messages
from inquiries.selectors.threads import clock_events
from inquiries.services.messaging import conversation_close, conversation_open, inquiry_exclude, message_post
from inquiries.services.sweep import inquiries_escalate_overdue, inquiries_sweep
from marketplace.models import Seller
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.factories import ConversationFactory, InquiryFactory, MessageFactory, clocks_for
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

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
        "moderator": UserFactory(role=Role.MODERATOR),
    }


def _ask(parties: dict[str, Any], *, subject: str, at: datetime) -> Conversation:
    return conversation_open(buyer=parties["buyer"], seller=parties["seller"], subject=subject, body="Hello?", now=at)


def _recipients(kind: Kind) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _snapshot() -> dict[str, object]:
    """Everything a sweep writes (and more), to show that a re-run changes nothing."""
    return {
        "inquiries": list(
            Inquiry.objects.order_by("id").values_list("id", "status", "warned_at", "escalated_at", "answered_at")
        ),
        "clocks": list(
            InquiryClock.objects.order_by("inquiry_id").values_list(
                "inquiry_id", "warned_at", "escalated_at", "stopped_at", "resolved_at"
            )
        ),
        "conversations": list(Conversation.objects.order_by("id").values_list("id", "status", "updated_at")),
        "events": list(ConversationEvent.objects.order_by("id").values_list("id", "inquiry_id", "kind")),
        "messages": Message.objects.count(),
        "notifications": list(Notification.objects.order_by("id").values_list("id", "recipient_id", "kind")),
    }


def overdue_inquiries(
    count: int, *, opened: datetime, sellers: Sequence[Seller], buyers: Sequence[User]
) -> list[Inquiry]:
    """``count`` open inquiries opened at ``opened``, spread over ``sellers`` and ``buyers``, as
    ``conversation_open`` leaves them, written in three bulk INSERTs (a thousand through the services
    would take the test minutes)."""
    due = opened + settings.INQUIRIES_RESPONSE_TARGET
    conversations = Conversation.objects.bulk_create(
        [
            ConversationFactory.build(
                buyer=buyers[index % len(buyers)],
                seller=sellers[index % len(sellers)],
                subject=f"Question {index}",
                last_message_at=opened,
                awaiting_since=opened,
                response_due_at=due,
            )
            for index in range(count)
        ]
    )
    messages = Message.objects.bulk_create(
        [
            MessageFactory.build(conversation=conversation, author=conversation.buyer, created_at=opened)
            for conversation in conversations
        ]
    )
    inquiries = Inquiry.objects.bulk_create(
        [
            InquiryFactory.build(
                conversation=conversation,
                seller=conversation.seller,
                opening_message=message,
                awaiting_since=opened,
            )
            for conversation, message in zip(conversations, messages, strict=True)
        ]
    )
    clocks_for(inquiries)
    return inquiries


def _history(conversation: Conversation) -> list[tuple[str, datetime, str]]:
    """The warning and escalation lines of the conversation's history (read from its clocks)."""
    return [(event.kind, event.created_at, event.note) for event in clock_events([conversation.pk])[conversation.pk]]


# --- One inquiry through the clock -----------------------------------------------------------


def test_question_is_warned_at_three_hours_and_escalated_at_four_exactly_once(parties):
    conversation = conversation_open(
        buyer=parties["buyer"], seller=parties["seller"], subject="Is it waterproof?", body="Is it?", now=T0
    )
    assert [m.kind for m in conversation.messages.all()] == [MessageKind.BUYER, MessageKind.AUTO_ACK]
    assert "usually replies within 4 hours" in conversation.messages.last().body
    assert Notification.objects.filter(kind=Kind.INQUIRY_RECEIVED, recipient=parties["member"]).count() == 1

    assert inquiries_sweep(now=T0 + timedelta(hours=2, minutes=59)) == {"escalated": 0, "warned": 0}
    assert inquiries_sweep(now=T0 + timedelta(hours=3)) == {"escalated": 0, "warned": 1}
    assert inquiries_sweep(now=T0 + timedelta(hours=3, minutes=30)) == {"escalated": 0, "warned": 0}
    assert inquiries_sweep(now=T0 + timedelta(hours=4)) == {"escalated": 1, "warned": 0}
    assert inquiries_sweep(now=T0 + timedelta(hours=9)) == {"escalated": 0, "warned": 0}

    conversation.refresh_from_db()
    assert conversation.current_status == ConversationStatus.ESCALATED
    assert Escalation.objects.filter(conversation=conversation).count() == 1
    escalated = Notification.objects.filter(kind=Kind.INQUIRY_ESCALATED)
    assert set(escalated.values_list("recipient__username", flat=True)) == {
        parties[name].username for name in ("buyer", "member", "support", "moderator")
    }
    assert Notification.objects.filter(kind=Kind.INQUIRY_WARNING).count() == 2  # seller member + support

    message_post(conversation=conversation, author=parties["support"], body="We're on it.", now=T0 + timedelta(hours=5))
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert inquiry.status == InquiryStatus.ANSWERED_BY_STAFF
    assert inquiry.is_within_target is False
    assert Escalation.objects.get().resolution == "staff_replied"


def test_warning_goes_once_to_every_seller_member_and_support_and_not_to_buyer_or_moderators(parties):
    second_member = SellerMemberFactory(seller=parties["seller"])
    conversation = _ask(parties, subject="Gift wrap?", at=T0)
    warned_at = T0 + 3 * HOUR

    assert inquiries_sweep(now=warned_at) == {"escalated": 0, "warned": 1}

    assert _recipients(Kind.INQUIRY_WARNING) == sorted(
        [parties["member"].username, second_member.username, parties["support"].username]
    )
    seller_notice = Notification.objects.get(kind=Kind.INQUIRY_WARNING, recipient=parties["member"])
    assert seller_notice.title == "1 buyer question will be escalated within the hour"
    assert seller_notice.body == "Gift wrap?"
    assert seller_notice.link == f"/seller/conversations/{conversation.pk}/"
    support_notice = Notification.objects.get(kind=Kind.INQUIRY_WARNING, recipient=parties["support"])
    assert support_notice.title == "1 inquiry near the response deadline"
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.warning_at, inquiry.escalation_at) == (warned_at, None)
    assert _history(conversation) == [(ConversationEvent.Kind.WARNED, warned_at, "")]
    conversation.refresh_from_db()
    assert conversation.current_status == ConversationStatus.AWAITING_REPLY  # a warning is not an escalation

    before = _snapshot()
    for minutes in (1, 30, 59):
        assert inquiries_sweep(now=warned_at + timedelta(minutes=minutes)) == {"escalated": 0, "warned": 0}
    assert _snapshot() == before


def test_escalation_shows_status_queue_row_history_thread_notice_and_notifies_exactly_once(parties):
    """The sweep writes the clock (and the notices); the conversation's status, the support queue,
    its history and its thread read the escalation from it."""
    conversation = _ask(parties, subject="Is it waterproof?", at=T0)
    inquiries_sweep(now=T0 + 3 * HOUR)
    due = T0 + 4 * HOUR

    assert inquiries_sweep(now=due) == {"escalated": 1, "warned": 0}

    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.escalation_at, inquiry.warning_at) == (InquiryStatus.OPEN, due, T0 + 3 * HOUR)
    conversation.refresh_from_db()
    assert (conversation.current_status, conversation.escalated_at) == (ConversationStatus.ESCALATED, due)
    assert list(Conversation.objects.filter(conversation_status_q(ConversationStatus.ESCALATED))) == [conversation]
    escalation = Escalation.objects.get()
    assert (escalation.id, escalation.inquiry_id, escalation.conversation_id, escalation.escalated_at) == (
        inquiry.pk,
        inquiry.pk,
        conversation.pk,
        due,
    )
    assert (escalation.resolved_at, escalation.assignee) == (None, None)
    assert _history(conversation) == [
        (ConversationEvent.Kind.WARNED, T0 + 3 * HOUR, ""),
        (ConversationEvent.Kind.ESCALATED, due, "no seller reply within 4 hours"),
    ]
    notice = conversation_messages(conversation=conversation)[-1]
    assert (notice.pk, notice.kind, notice.created_at) == (None, MessageKind.SYSTEM, due)
    assert notice.body == (
        "Northwind hasn't replied within 4 hours, so our support team is on it now. "
        "We'll answer here as soon as we can."
    )
    assert not Message.objects.filter(kind=MessageKind.SYSTEM).exists()  # read from the clock, not stored

    assert _recipients(Kind.INQUIRY_ESCALATED) == sorted(
        parties[name].username for name in ("buyer", "member", "support", "moderator")
    )
    to_buyer = Notification.objects.get(kind=Kind.INQUIRY_ESCALATED, recipient=parties["buyer"])
    assert to_buyer.title == "Support is on it: Is it waterproof?"
    assert to_buyer.body == (
        "Northwind hasn't replied within 4 hours, so our support team has taken over your question."
    )
    assert to_buyer.link == f"/messages/{conversation.pk}/"
    to_seller = Notification.objects.get(kind=Kind.INQUIRY_ESCALATED, recipient=parties["member"])
    assert to_seller.title == "1 buyer question was escalated to support"
    for staff in ("support", "moderator"):
        to_staff = Notification.objects.get(kind=Kind.INQUIRY_ESCALATED, recipient=parties[staff])
        assert to_staff.title == "1 inquiry escalated to the support queue"
        assert to_staff.link == "/admin/inquiries/escalation/?resolved=no"

    before = _snapshot()
    for later in (due, due + timedelta(minutes=1), due + 20 * HOUR):
        assert inquiries_sweep(now=later) == {"escalated": 0, "warned": 0}
    assert _snapshot() == before


def test_escalation_rows_and_notifications_commit_together_or_not_at_all(parties, monkeypatch):
    """Audit rows and notifications are written in the escalation's transaction: if writing the
    notifications fails, the escalation is not half-done (and the next sweep does it whole)."""
    conversation = _ask(parties, subject="Does it fit?", at=T0)
    before = _snapshot()

    def broken_notify_many(**kwargs: object) -> int:
        raise RuntimeError("notifications table unavailable")

    monkeypatch.setattr("inquiries.services.sweep.notify_many", broken_notify_many)
    with pytest.raises(RuntimeError, match="notifications table unavailable"):
        inquiries_sweep(now=T0 + 4 * HOUR)
    assert _snapshot() == before

    monkeypatch.undo()
    assert inquiries_sweep(now=T0 + 4 * HOUR + timedelta(minutes=1)) == {"escalated": 1, "warned": 0}
    conversation.refresh_from_db()
    assert conversation.current_status == ConversationStatus.ESCALATED
    assert Notification.objects.filter(kind=Kind.INQUIRY_ESCALATED).count() == 4


def test_inquiry_answered_before_the_warning_is_never_warned_or_escalated(parties):
    conversation = _ask(parties, subject="Colour?", at=T0)
    message_post(conversation=conversation, author=parties["member"], body="Blue.", now=T0 + 2 * HOUR)

    for hours in (3, 4, 5, 48):
        assert inquiries_sweep(now=T0 + hours * HOUR) == {"escalated": 0, "warned": 0}

    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.is_within_target, inquiry.warned_at, inquiry.escalated_at) == (
        InquiryStatus.ANSWERED,
        True,
        None,
        None,
    )
    assert not Escalation.objects.exists()
    assert not Notification.objects.filter(kind__in=[Kind.INQUIRY_WARNING, Kind.INQUIRY_ESCALATED]).exists()
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ANSWERED


def test_inquiry_answered_between_warning_and_deadline_is_not_escalated(parties):
    conversation = _ask(parties, subject="Size?", at=T0)
    assert inquiries_sweep(now=T0 + 3 * HOUR) == {"escalated": 0, "warned": 1}
    message_post(
        conversation=conversation, author=parties["member"], body="Medium.", now=T0 + timedelta(hours=3, minutes=59)
    )

    for hours in (4, 5, 48):
        assert inquiries_sweep(now=T0 + hours * HOUR) == {"escalated": 0, "warned": 0}

    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.is_within_target, inquiry.escalated_at) == (InquiryStatus.ANSWERED, True, None)
    assert not Escalation.objects.exists()
    assert not Notification.objects.filter(kind=Kind.INQUIRY_ESCALATED).exists()
    assert Notification.objects.filter(kind=Kind.INQUIRY_WARNING).count() == 2
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ANSWERED


def test_closed_and_excluded_inquiries_are_neither_warned_nor_escalated(parties):
    closed = _ask(parties, subject="Never mind", at=T0)
    conversation_close(conversation=closed, actor=parties["buyer"], now=T0 + HOUR)
    excluded = _ask(parties, subject="Thanks!", at=T0)
    inquiry_exclude(
        message=excluded.messages.get(kind=MessageKind.BUYER),
        actor=parties["member"],
        reason="Just a thank-you",
        now=T0 + HOUR,
    )

    assert inquiries_sweep(now=T0 + 3 * HOUR) == {"escalated": 0, "warned": 0}
    assert inquiries_sweep(now=T0 + 10 * HOUR) == {"escalated": 0, "warned": 0}
    assert not Escalation.objects.exists()
    assert not Notification.objects.filter(kind__in=[Kind.INQUIRY_WARNING, Kind.INQUIRY_ESCALATED]).exists()


# --- After an outage -------------------------------------------------------------------------


def test_outage_catch_up_escalates_everything_overdue_once_without_rewarning_or_late_warnings(parties):
    """Beat and the worker were down from 3 h 30 to 9 h after T0. The first sweep after the outage:

    - ``warned_then_due`` (warned at 3 h, due at 4 h): escalated, not warned again;
    - ``due_unwarned`` (would have been warned at 4 h, due at 5 h) and ``due_just_now`` (due at 9 h):
      escalated without a warning (see the module docstring);
    - ``in_warning_window`` (warn at 8 h 30, due at 9 h 30): warned, escalated by a later sweep;
    - ``fresh`` (opened at 8 h 30): untouched.
    """
    warned_then_due = _ask(parties, subject="warned then due", at=T0)
    assert inquiries_sweep(now=T0 + 3 * HOUR) == {"escalated": 0, "warned": 1}
    due_unwarned = _ask(parties, subject="due unwarned", at=T0 + HOUR)
    # The outage starts here: nothing runs until T0 + 9 h, while buyers keep asking.
    due_just_now = _ask(parties, subject="due just now", at=T0 + 5 * HOUR)
    in_warning_window = _ask(parties, subject="in warning window", at=T0 + timedelta(hours=5, minutes=30))
    fresh = _ask(parties, subject="fresh", at=T0 + timedelta(hours=8, minutes=30))
    back = T0 + 9 * HOUR

    assert inquiries_sweep(now=back) == {"escalated": 3, "warned": 1}

    def state(conversation: Conversation) -> tuple[object, ...]:
        inquiry = Inquiry.objects.get(conversation=conversation)
        kinds = sorted(kind for kind, _, _ in _history(conversation))
        return inquiry.warning_at, inquiry.escalation_at, kinds

    assert state(warned_then_due) == (T0 + 3 * HOUR, back, ["escalated", "warned"])
    assert state(due_unwarned) == (None, back, ["escalated"])
    assert state(due_just_now) == (None, back, ["escalated"])
    assert state(in_warning_window) == (back, None, ["warned"])
    assert state(fresh) == (None, None, [])
    assert Escalation.objects.count() == 3
    # One digest per sweep run for support and moderators, one per escalated conversation for the buyer.
    assert Notification.objects.get(kind=Kind.INQUIRY_ESCALATED, recipient=parties["support"]).title == (
        "3 inquiries escalated to the support queue"
    )
    assert Notification.objects.filter(kind=Kind.INQUIRY_ESCALATED, recipient=parties["buyer"]).count() == 3
    assert Notification.objects.get(kind=Kind.INQUIRY_ESCALATED, recipient=parties["member"]).title == (
        "3 buyer questions were escalated to support"
    )
    # Warnings: the one before the outage and the one after it, never one for an escalated inquiry.
    assert Notification.objects.filter(kind=Kind.INQUIRY_WARNING, recipient=parties["member"]).count() == 2

    before = _snapshot()
    assert inquiries_sweep(now=back + timedelta(minutes=1)) == {"escalated": 0, "warned": 0}
    assert _snapshot() == before
    assert inquiries_sweep(now=T0 + timedelta(hours=9, minutes=30)) == {"escalated": 1, "warned": 0}
    assert state(in_warning_window)[1:] == (T0 + timedelta(hours=9, minutes=30), ["escalated", "warned"])


def test_outage_catch_up_of_hundreds_overdue_for_hours_escalates_each_once(parties):
    sellers = [parties["seller"], SellerFactory()]
    overdue_inquiries(250, opened=T0, sellers=sellers, buyers=[parties["buyer"], BuyerFactory()])

    assert inquiries_escalate_overdue(now=T0 + 30 * HOUR, batch_size=100) == 250

    assert Escalation.objects.count() == 250
    assert InquiryClock.objects.filter(escalated_at=T0 + 30 * HOUR).count() == 250
    assert Conversation.objects.filter(conversation_status_q(ConversationStatus.ESCALATED)).count() == 250
    assert Notification.objects.filter(kind=Kind.INQUIRY_ESCALATED, recipient=parties["buyer"]).count() == 125
    assert inquiries_sweep(now=T0 + 31 * HOUR) == {"escalated": 0, "warned": 0}


# --- Time travel through the management command ------------------------------------------------


def _run_sweeps() -> str:
    out = StringIO()
    call_command("run_sweeps", "--only", "inquiries_response_clock", stdout=out)
    return out.getvalue().strip()


def test_run_sweeps_on_the_process_clock_warns_then_escalates_as_time_passes(parties):
    with time_machine.travel(T0, tick=False) as traveller:
        conversation = _ask(parties, subject="Batteries included?", at=timezone.now())
        assert _run_sweeps() == 'inquiries_response_clock: {"escalated": 0, "warned": 0}'

        traveller.move_to(T0 + timedelta(hours=2, minutes=59, seconds=59))
        assert _run_sweeps() == 'inquiries_response_clock: {"escalated": 0, "warned": 0}'
        traveller.move_to(T0 + 3 * HOUR)
        assert _run_sweeps() == 'inquiries_response_clock: {"escalated": 0, "warned": 1}'
        traveller.move_to(T0 + timedelta(hours=3, minutes=59, seconds=59))
        assert _run_sweeps() == 'inquiries_response_clock: {"escalated": 0, "warned": 0}'
        traveller.move_to(T0 + 4 * HOUR)
        assert _run_sweeps() == 'inquiries_response_clock: {"escalated": 1, "warned": 0}'
        traveller.move_to(T0 + 50 * HOUR)
        assert _run_sweeps() == 'inquiries_response_clock: {"escalated": 0, "warned": 0}'

    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.warning_at, inquiry.escalation_at) == (T0 + 3 * HOUR, T0 + 4 * HOUR)
    assert Escalation.objects.get().escalated_at == T0 + 4 * HOUR


# --- Statements: a handful per batch, however many rows ------------------------------------------

# Statements of one batch, in a test (inside the test's transaction each batch's ``atomic()`` is a
# SAVEPOINT ... RELEASE pair; in production it is BEGIN ... COMMIT, which Django does not log):
# escalation: the look whether anything is due (first batch only), savepoint, claim and mark (one
# UPDATE ... RETURNING of the clocks), staff (first batch only), the buyers' notices (INSERT ...
# SELECT), the seller members' digests (INSERT ... SELECT grouped by seller), the staff digests,
# the webhook events (INSERT ... SELECT, one ``conversation.escalated`` per inquiry), release;
# warning: the look, savepoint, claim and mark, staff, the seller members' digests, the staff
# digests, release. On PostgreSQL the notices' nested-loop planner setting and its reset too.
PLANNER = 2 if connection.vendor == "postgresql" else 0
ESCALATE_FIRST_BATCH = 9 + PLANNER
ESCALATE_NEXT_BATCH = ESCALATE_FIRST_BATCH - 2
WARN_FIRST_BATCH = 7 + PLANNER
EMPTY_CLAIM = 3  # savepoint, claim, release: how a loop whose last batch was full ends
EMPTY_STAGE = 1  # the look that finds nothing due: no transaction at all


def _bulk_statements(queries: list[dict[str, str]]) -> int:
    """Statements, counting each bulk INSERT once: SQLite takes at most 999 parameters per
    statement, so Django splits a 1,000-row ``bulk_create`` into chunks there (PostgreSQL: one)."""
    count = 0
    previous_insert = None
    for query in queries:
        insert = re.match(r'INSERT INTO "(\w+)"', query["sql"])
        table = insert.group(1) if insert else None
        if table is None or table != previous_insert:
            count += 1
        previous_insert = table
    return count


def _sweep_statements(*, now: datetime) -> tuple[int, int, dict[str, int]]:
    """(statements, statements with each bulk INSERT counted once, the sweep's result)."""
    with CaptureQueriesContext(connection) as queries:
        result = inquiries_sweep(now=now)
    return len(queries.captured_queries), _bulk_statements(queries.captured_queries), result


def _due_and_warnable(count: int, *, at: datetime, sellers: Sequence[Seller], buyers: Sequence[User]) -> None:
    """``count`` inquiries past their deadline at ``at`` and ``count`` inside the warning window."""
    overdue_inquiries(count, opened=at - 5 * HOUR, sellers=sellers, buyers=buyers)
    overdue_inquiries(count, opened=at - timedelta(hours=3, minutes=30), sellers=sellers, buyers=buyers)


def _many_parties(sellers: int, buyers: int) -> tuple[list[Seller], list[User]]:
    seller_rows = SellerFactory.create_batch(sellers)
    for seller in seller_rows:
        SellerMemberFactory(seller=seller)
    return seller_rows, BuyerFactory.create_batch(buyers)


@pytest.mark.django_db
def test_sweep_statement_count_is_the_same_for_10_and_1000_due_inquiries(settings):
    """A batch size that covers both in one batch (a batch of exactly 1000 would be full, and a full
    batch is followed by one more, empty claim). The recipients grow with the rows too: 2 → 20
    sellers (their members' digests) and 5 → 100 buyers (their notices)."""
    settings.INQUIRIES_SWEEP_BATCH_SIZE = 5000
    UserFactory(role=Role.SUPPORT)
    UserFactory(role=Role.MODERATOR)
    small_sellers, small_buyers = _many_parties(2, 5)
    _due_and_warnable(10, at=T0, sellers=small_sellers, buyers=small_buyers)
    small, small_bulk, result = _sweep_statements(now=T0)
    assert result == {"escalated": 10, "warned": 10}

    later = T0 + 48 * HOUR
    assert inquiries_sweep(now=later) == {"escalated": 10, "warned": 0}  # the small set's warned ones
    large_sellers, large_buyers = _many_parties(20, 100)
    _due_and_warnable(1000, at=later, sellers=large_sellers, buyers=large_buyers)
    large, large_bulk, result = _sweep_statements(now=later)
    assert result == {"escalated": 1000, "warned": 1000}

    assert small == small_bulk == ESCALATE_FIRST_BATCH + WARN_FIRST_BATCH
    assert large_bulk == small_bulk
    if connection.vendor == "postgresql":
        assert large == small  # no chunking: literally the same statements
    assert Escalation.objects.count() == 1020


@pytest.mark.django_db
def test_with_a_batch_of_100_the_statement_count_grows_only_by_the_number_of_batches(settings):
    """1,050 due inquiries in batches of 100 are 11 batches: the statements of one batch, plus
    those of ten more (the staff list is read once per run), whatever the number of rows."""
    settings.INQUIRIES_SWEEP_BATCH_SIZE = 100
    UserFactory(role=Role.SUPPORT)
    UserFactory(role=Role.MODERATOR)
    sellers, buyers = _many_parties(3, 10)
    overdue_inquiries(50, opened=T0 - 5 * HOUR, sellers=sellers, buyers=buyers)
    _, one_batch, result = _sweep_statements(now=T0)
    assert result == {"escalated": 50, "warned": 0}
    assert one_batch == ESCALATE_FIRST_BATCH + EMPTY_STAGE  # nothing to warn: one look

    later = T0 + 48 * HOUR
    overdue_inquiries(1050, opened=later - 5 * HOUR, sellers=sellers, buyers=buyers)
    raw, eleven_batches, result = _sweep_statements(now=later)
    assert result == {"escalated": 1050, "warned": 0}
    assert eleven_batches == one_batch + 10 * ESCALATE_NEXT_BATCH
    if connection.vendor == "postgresql":
        assert raw == eleven_batches
    assert Escalation.objects.count() == 1100

    overdue_inquiries(200, opened=later, sellers=sellers, buyers=buyers)
    _, two_full_batches, result = _sweep_statements(now=later + 5 * HOUR)
    assert result == {"escalated": 200, "warned": 0}
    assert two_full_batches == one_batch + ESCALATE_NEXT_BATCH + EMPTY_CLAIM


def test_a_sweep_with_nothing_due_costs_one_statement_a_stage_and_no_transaction(parties):
    """Beat runs it every minute and it usually finds nothing: one look per stage, nothing else."""
    _ask(parties, subject="Not due yet", at=T0)
    statements, _, result = _sweep_statements(now=T0 + HOUR)
    assert result == {"escalated": 0, "warned": 0}
    assert statements == 2 * EMPTY_STAGE
