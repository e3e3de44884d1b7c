"""A conversation's history in words for the console's conversation page: the audit rows
(``ConversationEvent``), the sweep's warnings and escalations (read from the clocks) and the
automatic acknowledgements, oldest first, each as a sentence a person reads ("Auto-acknowledgement
sent to the buyer"), never as a raw kind and an id ("auto_ack message in #162")."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from core.durations import duration_text, duration_words
from core.timezones import local_time_text
from inquiries.models import ConversationEvent, Message, MessageKind

Kind = ConversationEvent.Kind

RESOLUTION_WORDS = {
    "staff_replied": "support replied",
    "seller_replied": "the seller replied",
    "staff_closed": "support closed the conversation",
    "buyer_closed": "the buyer closed the conversation",
    "excluded": "the seller marked it as needing no response",
}


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str

    @property
    def when(self) -> str:
        return local_time_text(self.at)


def _who(event: ConversationEvent) -> str:
    return event.actor.display_name if event.actor is not None else "SayPro"


def _answered(event: ConversationEvent) -> str:
    # The note is "answered by <kind> after <seconds> s" (``message_post``).
    by, _, rest = event.note.removeprefix("answered by ").partition(" after ")
    seconds = rest.removesuffix(" s")
    after = f" after {duration_text(float(seconds))}" if seconds.isdigit() else ""
    role = {"seller": "the seller", "staff": "support"}.get(by, by or "someone")
    return f"Inquiry answered by {role} ({_who(event)}){after}"


def _assigned(event: ConversationEvent) -> str:
    note = event.note
    if note.startswith("unassigned"):
        return f"Escalation put back in the queue by {_who(event)}"
    verb = "reassigned" if note.startswith("reassigned") else "assigned"
    assignee = note.split(" to ", 1)[1].split(" (was", 1)[0] if " to " in note else ""
    if assignee and event.actor is not None and assignee == event.actor.username:
        return f"Escalation {verb} to {_who(event)} (took it)"
    return f"Escalation {verb} to {assignee or 'an agent'} by {_who(event)}"


def event_text(event: ConversationEvent, *, target: str) -> str:
    kind = event.kind
    if kind == Kind.OPENED:
        return f"Conversation opened by {_who(event)}"
    if kind == Kind.INQUIRY_OPENED:
        due = event.inquiry.response_due_at if event.inquiry is not None else None
        deadline = f", reply due by {local_time_text(due)}" if due is not None else ""
        return f"Waiting for the seller's reply{deadline}"
    if kind == Kind.ANSWERED:
        return _answered(event)
    if kind == Kind.WARNED:
        return "Deadline warning sent to the seller and support"
    if kind == Kind.ESCALATED:
        return f"Escalated to support: no seller reply within {target}"
    if kind == Kind.EXCLUDED:
        reason = f": {event.note}" if event.note else ""
        return f"Marked as needing no response by {_who(event)}{reason}"
    if kind == Kind.ASSIGNED:
        return _assigned(event)
    if kind == Kind.RESOLVED:
        return f"Escalation resolved: {RESOLUTION_WORDS.get(event.note, event.note or 'done')}"
    if kind == Kind.CLOSED:
        return f"Conversation closed by {_who(event)}"
    return event.get_kind_display()


def history_lines(
    *, events: Sequence[ConversationEvent], clock_events: Sequence[ConversationEvent], messages: Sequence[Message]
) -> list[HistoryLine]:
    """Everything that happened, oldest first (ties: the audit row before the message)."""
    target = duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    lines = [HistoryLine(event.created_at, event_text(event, target=target)) for event in (*events, *clock_events)]
    lines += [
        HistoryLine(message.created_at, "Auto-acknowledgement sent to the buyer")
        for message in messages
        if message.kind == MessageKind.AUTO_ACK
    ]
    return sorted(lines, key=lambda line: line.at)
