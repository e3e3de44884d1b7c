"""Building blocks shared by the inquiries pages of the console (``inquiries.admin``).

Conversations, messages, inquiries, escalations and their events are written only by the
messaging services and the sweep: the console shows them read-only, for everyone, superusers
included, and changes them through actions and forms that call those services.
"""

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User
from core.durations import duration_text
from inquiries.models import ConversationEvent, ConversationStatus, Message

OPEN_CONVERSATION_STATUSES = (ConversationStatus.AWAITING_REPLY, ConversationStatus.ESCALATED)


def admin_link(obj: Model | None, text: object = None) -> SafeString | str:
    """A link to the change page of ``obj`` (or "—" when there is none); the text is escaped."""
    if obj is None:
        return "—"
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def badge(text: str, tone: str) -> SafeString:
    return format_html('<span class="sp-badge sp-badge--{}">{}</span>', tone, text)


def due_badge(due_at: datetime | None, *, now: datetime) -> SafeString | str:
    """The response due time, highlighted when it has passed."""
    if due_at is None:
        return "—"
    when = f"{due_at:%Y-%m-%d %H:%M}"
    if due_at <= now:
        return format_html(
            '{} <span class="sp-badge sp-badge--overdue">overdue {}</span>',
            when,
            duration_text((now - due_at).total_seconds()),
        )
    if (due_at - now).total_seconds() <= 3600:
        return format_html('{} <span class="sp-badge sp-badge--due-soon">due within the hour</span>', when)
    return when


def actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # admin_view has already sent anonymous users to the login page
        raise PermissionDenied
    return user


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record written only by services: staff with the view permission may look, nobody may
    add, change or delete it here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(ReadOnlyTabularInline):
    model = Message
    fields = ("created_at", "kind", "author", "body_text")
    readonly_fields = fields
    verbose_name_plural = "messages"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("author")

    @admin.display(description="Message")
    def body_text(self, obj: Message) -> SafeString:
        # Plain text written by buyers and sellers: escaped, line breaks kept by CSS.
        return format_html('<div class="sp-message-body">{}</div>', obj.body)


class ConversationEventInline(ReadOnlyTabularInline):
    model = ConversationEvent
    fields = ("created_at", "kind", "actor", "note")
    readonly_fields = fields
    verbose_name_plural = "history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConversationEvent]:
        return super().get_queryset(request).select_related("actor")
