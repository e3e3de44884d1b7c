"""What a conversation's thread and history show about its response clocks.

The sweep writes only the clock row when it warns or escalates (``inquiries.services.sweep``); the
thread's "support is on it" notice and the history's "warned" / "escalated" lines are read from the
clocks here and merged with the stored messages and events, in time order. They are unsaved
``Message`` / ``ConversationEvent`` instances (``pk`` None, ``kind`` system / warned / escalated), so
every page, the console and the API render them like the stored ones: one query for all the
clocks of any number of conversations.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

from django.conf import settings
from django.db.models import Q

from core.durations import duration_words
from inquiries.models import ConversationEvent, InquiryClock, Message, MessageKind


def escalation_notice(seller_name: str) -> str:
    target = duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    return (
        f"{seller_name} hasn't replied within {target}, so our support team is on it now. "
        "We'll answer here as soon as we can."
    )


def _escalated_clocks(conversation_ids: Iterable[int]) -> list[InquiryClock]:
    return list(
        InquiryClock.objects.filter(conversation_id__in=set(conversation_ids), escalated_at__isnull=False)
        .select_related("conversation__seller")
        .order_by("escalated_at", "inquiry_id")
    )


def escalation_notices(conversation_ids: Iterable[int]) -> dict[int, list[Message]]:
    """The thread notices of each conversation's escalations (one query for all)."""
    notices: dict[int, list[Message]] = defaultdict(list)
    for clock in _escalated_clocks(conversation_ids):
        notices[clock.conversation_id].append(
            Message(
                conversation_id=clock.conversation_id,
                kind=MessageKind.SYSTEM,
                body=escalation_notice(clock.conversation.seller.name),
                created_at=cast(datetime, clock.escalated_at),  # filtered: never None
            )
        )
    return notices


def merge_thread(messages: Sequence[Message], notices: Sequence[Message]) -> list[Message]:
    """Stored messages and clock notices, oldest first; a notice goes after the messages of the
    same moment (it follows from them)."""
    merged = [(message.created_at, 0, message.pk or 0, message) for message in messages]
    merged += [(notice.created_at, 1, 0, notice) for notice in notices]
    return [item for *_, item in sorted(merged, key=lambda entry: entry[:3])]


def conversation_thread(*, conversation_id: int, messages: Sequence[Message]) -> list[Message]:
    return merge_thread(messages, escalation_notices([conversation_id]).get(conversation_id, []))


def clock_events(conversation_ids: Iterable[int]) -> dict[int, list[ConversationEvent]]:
    """Each conversation's warning and escalation history lines, read from its clocks."""
    target = duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    events: dict[int, list[ConversationEvent]] = defaultdict(list)
    # Through the inquiries (indexed by conversation), then each clock by its key: a clock that only
    # warned is not in the escalated clocks' partial index.
    clocks = InquiryClock.objects.filter(
        Q(warned_at__isnull=False) | Q(escalated_at__isnull=False),
        inquiry__conversation_id__in=set(conversation_ids),
    )
    for clock in clocks.order_by("inquiry_id"):
        if clock.warned_at is not None:
            events[clock.conversation_id].append(
                ConversationEvent(
                    conversation_id=clock.conversation_id,
                    inquiry_id=clock.inquiry_id,
                    kind=ConversationEvent.Kind.WARNED,
                    created_at=clock.warned_at,
                )
            )
        if clock.escalated_at is not None:
            events[clock.conversation_id].append(
                ConversationEvent(
                    conversation_id=clock.conversation_id,
                    inquiry_id=clock.inquiry_id,
                    kind=ConversationEvent.Kind.ESCALATED,
                    note=f"no seller reply within {target}",
                    created_at=clock.escalated_at,
                )
            )
    return events


def conversation_history(*, conversation_id: int, events: Sequence[ConversationEvent]) -> list[ConversationEvent]:
    """Stored events and the clock's warning and escalation lines, oldest first."""
    merged = list(events) + clock_events([conversation_id]).get(conversation_id, [])
    return sorted(merged, key=lambda event: (event.created_at, event.pk or 0))
