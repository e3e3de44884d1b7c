"""How a conversation appears in webhook events (``webhooks.resources``): exactly as ``GET
/api/v1/conversations/<id>/`` shows it to staff (support), thread included, built with the API's
serializer from the same loading: the conversations with their clocks' state, their messages, and
the escalation notices read from the clocks: three statements per batch, whatever its size."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch

from core.api.rendering import api_json
from inquiries.api.serializers import ConversationDetailOutputSerializer
from inquiries.models import Conversation, Message
from inquiries.selectors.conversations import with_thread


def conversations_render(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    conversations = list(
        Conversation.objects.filter(pk__in=ids)
        .with_clock_state()
        .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("created_at", "id")))
    )
    return {
        conversation.pk: api_json(ConversationDetailOutputSerializer(conversation).data)
        for conversation in with_thread(conversations)
    }


RESOURCES = {"conversation": conversations_render}
