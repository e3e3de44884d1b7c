"""The inquiries' part of a customer's console timeline (``core.timeline``): the conversations
they started with sellers, newest first, in one statement with a ``LIMIT``."""

from datetime import datetime

from core.timeline import TimelineEntry, console_url
from inquiries.models import Conversation


def customer_entries(user_id: int, *, limit: int, before: datetime | None) -> list[TimelineEntry]:
    conversations = Conversation.objects.filter(buyer_id=user_id).select_related("seller")
    if before is not None:
        conversations = conversations.filter(created_at__lt=before)
    return [
        TimelineEntry(
            at=conversation.created_at,
            kind="conversation",
            title=f"Conversation with {conversation.seller.name}: {conversation.subject}",
            summary=f"Last message {conversation.last_message_at:%Y-%m-%d %H:%M}",
            url=console_url(Conversation, conversation.pk),
            app="inquiries",
            # The stored status: "escalated" is read from the inquiry clock, one query per row.
            status=conversation.get_status_display(),
        )
        for conversation in conversations.order_by("-created_at", "-id")[:limit]
    ]
