"""The sweep under concurrency, on real PostgreSQL: row locks (``FOR UPDATE SKIP LOCKED``) decide
who escalates what, the unique constraints back them up. Several sweeps at once (threads, each with
its own connection, and separate processes), and a seller reply racing the sweep."""

import multiprocessing
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count

from accounts.models import Role
from inquiries.models import Conversation, ConversationEvent, ConversationStatus, Escalation, Inquiry, InquiryStatus
from inquiries.notices import Kind
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
    assert Escalation.objects.values("inquiry_id").distinct().count() == DUE
    assert Inquiry.objects.filter(escalated_at=T0).count() == DUE
    assert Inquiry.objects.filter(warned_at=T0).count() == WARNABLE
    assert Conversation.objects.filter(status=ConversationStatus.ESCALATED).count() == DUE
    events = dict(
        ConversationEvent.objects.values_list("kind").annotate(count=Count("id")).values_list("kind", "count")
    )
    assert events == {ConversationEvent.Kind.ESCALATED: DUE, ConversationEvent.Kind.WARNED: WARNABLE}
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


def test_a_sweep_skips_a_conversation_a_reply_is_being_posted_to_instead_of_deadlocking():
    """``message_post`` locks the conversation, then answers the inquiry. A sweep that locked the
    inquiry and then waited for the conversation (or for a key-share lock on it, to insert the
    escalation) would deadlock with it. The sweep locks both rows up front, skipping either if
    taken: the reply wins, and the inquiry is answered in time, not escalated."""
    seller = SellerFactory(name="Northwind")
    member = SellerMemberFactory(seller=seller)
    UserFactory(role=Role.SUPPORT)
    conversation = conversation_open(buyer=BuyerFactory(), seller=seller, subject="Size?", body="Which?", now=T0)
    due = T0 + 4 * HOUR
    conversation_locked = threading.Event()
    sweep_done = threading.Event()

    def reply(index: int) -> object:
        with transaction.atomic():
            # message_post's first step, held open until the sweep has run.
            Conversation.objects.select_for_update().get(pk=conversation.pk)
            conversation_locked.set()
            sweep_done.wait(timeout=15)
            return message_post(conversation=conversation, author=member, body="Medium.", now=due)

    def sweep(index: int) -> object:
        conversation_locked.wait(timeout=10)
        started = time.monotonic()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")
            return inquiries_sweep(now=due), time.monotonic() - started
        finally:
            sweep_done.set()

    replied, swept = run_at_once(2, lambda index: (reply, sweep)[index](index))

    assert not isinstance(replied, Exception), replied
    assert not isinstance(swept, Exception), swept
    result, seconds = swept  # type: ignore[misc]
    assert result == {"escalated": 0, "warned": 0}
    assert seconds < 2, f"the sweep waited {seconds:.1f} s for the conversation lock"
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert (inquiry.status, inquiry.is_within_target, inquiry.escalated_at) == (InquiryStatus.ANSWERED, True, None)
    assert inquiries_sweep(now=due + HOUR) == {"escalated": 0, "warned": 0}
    assert not Escalation.objects.exists()
