"""Building blocks shared by the inquiries pages of the console (``inquiries.admin``).

Conversations, messages, inquiries, escalations and their events are written only by the
messaging services and the sweep: the console shows them read-only, for everyone, superusers
included, and changes them through actions and forms that call those services.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.console import ReadOnlyTabularInline
from inquiries.models import ConversationEvent, ConversationStatus, Message

OPEN_CONVERSATION_STATUSES = (ConversationStatus.AWAITING_REPLY, ConversationStatus.ESCALATED)


class MessageInline(ReadOnlyTabularInline):
    model = Message
    fields = ("created_at", "kind", "author", "body_text")
    readonly_fields = fields
    verbose_name_plural = "messages"
    related = ("author",)

    @admin.display(description="Message")
    def body_text(self, obj: Message) -> SafeString:
        # Plain text written by buyers and sellers: escaped, line breaks kept by CSS.
        return format_html('<div class="sp-message-body">{}</div>', obj.body)


class ConversationEventInline(ReadOnlyTabularInline):
    model = ConversationEvent
    fields = ("created_at", "kind", "actor", "note")
    readonly_fields = fields
    verbose_name_plural = "history"
    related = ("actor",)
