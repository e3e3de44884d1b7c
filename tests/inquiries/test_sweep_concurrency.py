"""The sweep under concurrency, on real PostgreSQL: row locks (``FOR UPDATE SKIP LOCKED``) and the
conditional mark (``... AND escalated_at IS NULL``) decide who escalates what. Several sweeps at
once (threads, each with its own connection, and separate processes), and a seller reply racing the
sweep both ways round."""

import multiprocessing
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction

from accounts.models import Role
from inquiries.models import Conversation, ConversationStatus, Escalation, Inquiry, InquiryClock, InquiryStatus
from inquiries.notices import Kind
from inquiries.selectors.conversations import conversation_status_q
from inquiries.services import sweep as sweep_module
from inquiries.services.messaging import conversation_open, message_post
from inquiries.services.sweep import inquiries_sweep
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.test_sweep import overdue_inquiries
from tests.marketplace.factories import SellerFactory, SellerMemberFactory
from tests.utils import requires_postgres, run_at_once

pytestmark = [
    requires_postgres,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SWEEPS = 4
DUE = 400  # past the deadline
WARNABLE = 400  # inside the warning window


def _digest_total(kind: Kind, username: str) -> int:
    """The inquiries counted in one staff member's digests ("12 inquiries escalated ...")."""
    titles = Notification.objects.filter(kind=kind, recipient__username=username).values_list("title", flat=True)
    return sum(int(re.match(r"(\d+) ", title).group(1)) for title in titles)  # type: ignore[union-attr]


@pytest.fixture
def crowd(settings):  # type: ignore[no-untyped-def]
    """400 inquiries past their deadline and 400 in the warning window over 3 sellers and 40 buyers,
    swept in batches of 25 so that four sweeps really interleave."""
    settings.INQUIRIES_SWEEP_BATCH_SIZE = 25
    sellers = SellerFactory.create_batch(3)
    members = [SellerMemberFactory(seller=seller, username=f"member{index}") for index, seller in enumerate(sellers)]
    buyers = [BuyerFactory(username=f"buyer{index}") for index in range(40)]
    UserFactory(username="support-a", role=Role.SUPPORT)
    UserFactory(username="moderator-a", role=Role.MODERATOR)
    overdue_inquiries(DUE, opened=T0 - 5 * HOUR, sellers=sellers, buyers=buyers)
    overdue_inquiries(WARNABLE, opened=T0 - timedelta(hours=3, minutes=30), sellers=sellers, buyers=buyers)
    return {"sellers": sellers, "members": members, "buyers": buyers}


def _assert_each_escalated_and_warned_once(crowd) -> None:  # type: ignore[no-untyped-def]
    assert Escalation.objects.count() == DUE
    assert InquiryClock.objects.filter(escalated_at=T0).count() == DUE
    assert InquiryClock.objects.filter(warned_at=T0).count() == WARNABLE
    assert Conversation.objects.filter(conversation_status_q(ConversationStatus.ESCALATED)).count() == DUE
    # The buyer's notice is per conversation: exactly one per escalated inquiry.
    buyer_notices = Notification.objects.filter(kind=Kind.INQUIRY_ESCALATED, recipient__username__startswith="buyer")
    assert buyer_notices.count() == DUE
    assert buyer_notices.values("link").distinct().count() == DUE
    # Staff and seller members get digests (one per batch); together they count each inquiry once.
    assert _digest_total(Kind.INQUIRY_ESCALATED, "support-a") == DUE
    assert _digest_total(Kind.INQUIRY_ESCALATED, "moderator-a") == DUE
    assert _digest_total(Kind.INQUIRY_WARNING, "support-a") == WARNABLE
    assert not Notification.objects.filter(kind=Kind.INQUIRY_WARNING, recipient__username="moderator-a").exists()
    assert sum(_digest_total(Kind.INQUIRY_ESCALATED, member.username) for member in crowd["members"]) == DUE
    assert sum(_digest_total(Kind.INQUIRY_WARNING, member.username) for member in crowd["members"]) == WARNABLE


def test_four_sweeps_at_once_escalate_each_inquiry_once_and_notify_once(crowd):
    results = run_at_once(SWEEPS, lambda index: inquiries_sweep(now=T0))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(result["escalated"] for result in results) == DUE  # type: ignore[index]
    assert sum(result["warned"] for result in results) == WARNABLE  # type: ignore[index]
    _assert_each_escalated_and_warned_once(crowd)
    assert inquiries_sweep(now=T0) == {"escalated": 0, "warned": 0}


def _sweep_in_a_process(barrier, queue) -> None:  # type: ignore[no-untyped-def]
    """Runs in a forked child: a fresh connection (the parent closed its own before forking)."""
    try:
        barrier.wait(timeout=10)
        queue.put(inquiries_sweep(now=T0))
    except Exception as error:
        queue.put(repr(error))
    finally:
        connections.close_all()


def test_four_sweeps_in_separate_processes_escalate_each_inquiry_once(crowd):
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(SWEEPS)
    queue = context.Queue()
    # A forked child must not share the parent's socket: close it; each side reconnects on its own.
    connections.close_all()
    processes = [context.Process(target=_sweep_in_a_process, args=(barrier, queue)) for _ in range(SWEEPS)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    assert all(isinstance(result, dict) for result in results), results
    assert sum(result["escalated"] for result in results) == DUE  # type: ignore[index]
    assert sum(result["warned"] for result in results) == WARNABLE  # type: ignore[index]
    _assert_each_escalated_and_warned_once(crowd)


def _race(*, first, second) -> tuple[object, object]:  # type: ignore[no-untyped-def]
    """Run ``first`` (which calls ``hold()`` once it holds its locks) and ``second`` (started once
    they are held, with a 5 s lock timeout; ``first`` commits when ``second`` is done)."""
    held, done = threading.Event(), threading.Event()

    def run(index: int) -> object:
        if index == 0:
            return first(hold=lambda: (held.set(), done.wait(timeout=15)))
        held.wait(timeout=10)
        started = time.monotonic()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            return second(), time.monotonic() - started
        finally:
            done.set()

    results = run_at_once(2, run)
    assert not [result for result in results if isinstance(result, Exception)], results
    return results[0], results[1]


@pytest.fixture
def asked():  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    member = SellerMemberFactory(seller=seller)
    UserFactory(role=Role.SUPPORT)
    conversation = conversation_open(buyer=BuyerFactory(), seller=seller, subject="Size?", body="Which?", now=T0)
    return conversation, member


def test_a_sweep_never_waits_for_a_reply_being_posted_and_the_reply_resolves_its_escalation(asked):
    """``message_post`` locks the conversation, then stops the clock. The sweep locks only clocks,
    so a reply still being written (conversation locked, not yet committed) neither blocks it nor
    deadlocks with it: the inquiry is due and unanswered when the sweep looks, so it escalates, and
    the reply, committing after, answers it and resolves that escalation."""
    conversation, member = asked
    due = T0 + 4 * HOUR

    def reply(hold) -> object:  # type: ignore[no-untyped-def]
        with transaction.atomic():
            Conversation.objects.select_for_update().get(pk=conversation.pk)  # message_post's first step
            hold()
            return message_post(conversation=conversation, author=member, body="Medium.", now=due)

    _, (result, seconds) = _race(first=reply, second=lambda: inquiries_sweep(now=due))  # type: ignore[misc]

    assert result == {"escalated": 1, "warned": 0}
    assert seconds < 2, f"the sweep waited {seconds:.1f} s"
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.escalated_at) == (InquiryStatus.ANSWERED, due)
    escalation = Escalation.objects.get()
    assert (escalation.resolution, escalation.resolved_by, escalation.resolved_at) == ("seller_replied", member, due)
    assert inquiries_sweep(now=due + HOUR) == {"escalated": 0, "warned": 0}


def test_a_sweep_skips_a_clock_a_reply_has_just_stopped(asked):
    """A reply that has stopped the clock but not committed yet holds the clock row: the sweep skips
    it (``SKIP LOCKED``) instead of waiting, and it is never escalated: the reply won."""
    conversation, member = asked
    due = T0 + 4 * HOUR

    def reply(hold) -> object:  # type: ignore[no-untyped-def]
        with transaction.atomic():
            message = message_post(conversation=conversation, author=member, body="Medium.", now=due)
            hold()
            return message

    _, (result, seconds) = _race(first=reply, second=lambda: inquiries_sweep(now=due))  # type: ignore[misc]

    assert result == {"escalated": 0, "warned": 0}
    assert seconds < 2, f"the sweep waited {seconds:.1f} s"
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.is_within_target, inquiry.escalated_at) == (InquiryStatus.ANSWERED, True, None)
    assert inquiries_sweep(now=due + HOUR) == {"escalated": 0, "warned": 0}
    assert not Escalation.objects.exists()


def test_a_reply_waits_for_a_sweep_holding_its_clock_and_then_resolves_the_escalation(asked):
    """The other way round: a sweep has claimed the clock (not yet committed); the reply's stop waits
    for that commit (never a deadlock: the sweep waits for nothing the reply holds), then sees the
    escalation and resolves it, in the same statement."""
    conversation, member = asked
    due = T0 + 4 * HOUR
    original = sweep_module._escalate
    claimed = threading.Event()

    def escalate_then_hold(ids, **kwargs):  # type: ignore[no-untyped-def]
        original(ids, **kwargs)
        claimed.set()
        time.sleep(1)  # the batch's commit comes a second later

    def run(index: int) -> object:
        if index == 0:
            return inquiries_sweep(now=due)
        claimed.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
        return message_post(conversation=conversation, author=member, body="Medium.", now=due)

    sweep_module._escalate = escalate_then_hold
    try:
        swept, message = run_at_once(2, run)
    finally:
        sweep_module._escalate = original

    assert swept == {"escalated": 1, "warned": 0}, swept
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.escalated_at, inquiry.answering_message) == (InquiryStatus.ANSWERED, due, message)
    assert Escalation.objects.get().resolution == "seller_replied"
