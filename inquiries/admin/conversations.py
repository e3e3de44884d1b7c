"""Buyer-seller messaging in the moderators' console: the support queue and the audit trail.

- ``inquiries.admin.queue``: escalations, the support queue (assign, reply as staff, close).
- ``inquiries.admin.standing``: seller standings and exclusion flags.
- here: conversations with their messages and history, inquiries (the response-KPI ledger),
  conversation events, and the platform's starter quick replies.

Everything but the starter quick replies is read-only: the services write it.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.console import (
    ActionPage,
    QueryFilter,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    acting_user,
    admin_link,
    due_badge,
    posted,
    service_form_view,
)
from core.durations import duration_text
from core.exceptions import InvalidInput
from core.forms import LimitedTextField
from core.timezones import local_time_text
from inquiries.admin.common import OPEN_CONVERSATION_STATUSES
from inquiries.admin.history import history_lines
from inquiries.models import (
    Conversation,
    ConversationEvent,
    ConversationStatus,
    Escalation,
    Inquiry,
    Message,
    ReplyTemplate,
)
from inquiries.selectors.conversations import conversation_status_q
from inquiries.selectors.queue import open_inquiries_due_within_hour, open_inquiries_overdue
from inquiries.selectors.threads import clock_events, conversation_thread
from inquiries.services.escalations import user_may_work_escalations
from inquiries.services.messaging import message_post
from inquiries.services.templates import _clean_fields, best_matching_template, reply_template_render
from marketplace.selectors.orders import order_latest_shipment


class ConversationStatusFilter(admin.SimpleListFilter):
    """By what the conversation shows, "escalated" included (read from its clock)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in ConversationStatus.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value not in ConversationStatus.values:
            return queryset
        return queryset.filter(conversation_status_q(value))


class DueFilter(admin.SimpleListFilter):
    """Where the response clock stands; the index page's cards link to these."""

    title = "response due"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("hour", "Due within the hour")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "overdue":
            condition = open_inquiries_overdue(now)
        elif self.value() == "hour":
            condition = open_inquiries_due_within_hour(now)
        else:
            return queryset
        if queryset.model is Conversation:
            return queryset.filter(inquiries__in=Inquiry.objects.filter(condition))
        return queryset.filter(condition)


# --- Conversations ------------------------------------------------------------------------------


class ConversationReplyForm(forms.Form):
    body = LimitedTextField(
        label="Reply to the buyer",
        # ``form``: the field sits inside the page's read-only form; it submits with "sp-reply".
        widget=forms.Textarea(attrs={"rows": 7, "cols": 80, "form": "sp-reply"}),
        max_length=settings.INQUIRIES_MESSAGE_MAX_LENGTH,
        help_text="Posted in the conversation as support: an open inquiry is answered as escalated, its "
        "escalation resolved, and the buyer notified.",
    )


def _chosen_template(request: HttpRequest, templates: list[ReplyTemplate]) -> ReplyTemplate | None:
    """The staff template picked with ``?template=<id>`` (an unknown id: none, the box stays empty)."""
    wanted = request.GET.get("template", "")
    return next((template for template in templates if str(template.pk) == wanted), None)


class InquiryInline(ReadOnlyTabularInline):
    model = Inquiry
    fields = (
        "link",
        "status",
        "awaiting_since",
        "response_due_at",
        "warning_at",
        "escalation_at",
        "answered_at",
        "is_within_target",
    )
    readonly_fields = fields
    verbose_name_plural = "inquiries (response clock)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Inquiry]:
        return super().get_queryset(request).select_related("clock")

    @admin.display(description="Warned")
    def warning_at(self, obj: Inquiry) -> str:
        return "—" if obj.warning_at is None else local_time_text(obj.warning_at)

    @admin.display(description="Escalated")
    def escalation_at(self, obj: Inquiry) -> str:
        return "—" if obj.escalation_at is None else local_time_text(obj.escalation_at)

    @admin.display(description="Inquiry")
    def link(self, obj: Inquiry) -> SafeString | str:
        return admin_link(obj, f"Inquiry {obj.pk}")


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status_display", "seller", "buyer", "due", "last_message_at", "escalated")
    list_filter = (ConversationStatusFilter, DueFilter)
    search_fields = ("subject", "seller__name", "buyer__username", "buyer__email")
    list_select_related = ("seller", "buyer")
    date_hierarchy = "last_message_at"
    fieldsets = (
        (None, {"fields": ("subject", "status_display", "seller", "buyer", "product", "order")}),
        (
            "Response clock",
            {"fields": ("awaiting_since", "due", "first_response_at", "escalated", "clock_history", "last_message_at")},
        ),
        ("Closed", {"fields": ("closed_at", "closed_by")}),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "subject",
        "status_display",
        "seller",
        "buyer",
        "product",
        "order",
        "awaiting_since",
        "due",
        "first_response_at",
        "escalated",
        "clock_history",
        "last_message_at",
        "closed_at",
        "closed_by",
        "created_at",
        "updated_at",
    )
    # The thread, the reply form, the order and the history in words are the page's own
    # (``change_form.html``); the inquiries' clocks stay as a table below.
    inlines = (InquiryInline,)
    action_pages = (ActionPage("reply", "reply_view", "has_work_permission", "can_work"),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return (
            super()
            .get_queryset(request)
            .with_clock_state()  # type: ignore[attr-defined]
            .select_related("seller", "buyer", "product", "order", "closed_by")
        )

    def has_work_permission(self, request: HttpRequest) -> bool:
        """Reply as staff: support, moderators, admins (the escalation queue's permission)."""
        user = request.user
        return bool(user.has_perm("inquiries.change_escalation") and user_may_work_escalations(user))  # type: ignore[arg-type]

    # --- the change page: a place to work ---

    def _thread(self, conversation: Conversation) -> list[Message]:
        messages = (
            Message.objects.filter(conversation_id=conversation.pk)
            .select_related("author")
            .order_by("created_at", "id")
        )
        return conversation_thread(conversation_id=conversation.pk, messages=list(messages))

    def _can_reply(self, request: HttpRequest, conversation: Conversation) -> bool:
        return self.has_work_permission(request) and conversation.status in (
            *OPEN_CONVERSATION_STATUSES,
            ConversationStatus.ANSWERED,
        )

    def _workbench(
        self, request: HttpRequest, conversation: Conversation, reply_form: forms.Form | None
    ) -> dict[str, Any]:
        """The thread, the staff templates (the one matching the buyer's last words first), the
        order with its tracking, the escalation and the history in words."""
        thread = self._thread(conversation)
        events = list(
            ConversationEvent.objects.filter(conversation_id=conversation.pk)
            .select_related("actor", "inquiry")
            .order_by("created_at", "id")
        )
        history = history_lines(
            events=events, clock_events=clock_events([conversation.pk]).get(conversation.pk, []), messages=thread
        )
        escalation = (
            Escalation.objects.filter(conversation_id=conversation.pk)
            .select_related("assignee")
            .order_by("-escalated_at")
            .first()
        )
        shipment = order_latest_shipment(order=conversation.order) if conversation.order is not None else None
        can_reply = self._can_reply(request, conversation)
        templates: list[ReplyTemplate] = []
        suggested = None
        if can_reply:
            templates = list(ReplyTemplate.objects.filter(seller__isnull=True).order_by("title", "id"))
            last_buyer = next((m for m in reversed(thread) if m.kind == "buyer"), None)
            if last_buyer is not None:
                suggested, _score = best_matching_template(templates, last_buyer.body)
            if reply_form is None:
                chosen = _chosen_template(request, templates)
                body = reply_template_render(template=chosen, conversation=conversation) if chosen else ""
                reply_form = ConversationReplyForm(initial={"body": body})
        return {
            "thread": thread,
            "history": history,
            "escalation": escalation,
            "shipment": shipment,
            "tracking": list(shipment.events.all())[-3:] if shipment is not None else [],
            "reply_form": reply_form if can_reply else None,
            "staff_templates": templates,
            "suggested_template": suggested,
            "chosen_template_id": request.GET.get("template", ""),
            "is_closed": conversation.status == ConversationStatus.CLOSED,
        }

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        conversation = self.get_object(request, object_id)
        extra: dict[str, Any] = {}
        if conversation is not None and self.has_view_permission(request, conversation):
            extra = self._workbench(request, conversation, None)
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def reply_view(self, request: HttpRequest, conversation: Conversation) -> HttpResponse:
        """POST: ``message_post`` as the agent (an open inquiry is answered as escalated, the
        escalation resolved, the buyer notified). A refusal keeps the text on the form."""
        form = ConversationReplyForm(posted(request))
        return service_form_view(
            self,
            request,
            obj=conversation,
            form=form,
            title=f"Reply as staff: #{conversation.pk} {conversation.subject}",
            intro="",
            submit_label="Post reply",
            run=lambda call: message_post(
                conversation=conversation, author=call.actor, body=call.data["body"], now=call.now
            ),
            success_message=f"Reply posted in #{conversation.pk} {conversation.subject}; the buyer is notified.",
            refused_message="Reply not posted",
            template="admin/inquiries/conversation/reply.html",
            context=self._workbench(request, conversation, form),
        )

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj: Conversation) -> str:
        return obj.current_status_label

    @admin.display(description="Escalated at")
    def escalated(self, obj: Conversation) -> str:
        return "—" if obj.escalated_at is None else local_time_text(obj.escalated_at)

    @admin.display(description="Warnings and escalations")
    def clock_history(self, obj: Conversation) -> SafeString | str:
        """The sweep's warnings and escalations, read from the inquiries' clocks."""
        lines = clock_events([obj.pk]).get(obj.pk, [])
        if not lines:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            "{} — {} (inquiry {})",
            ((local_time_text(event.created_at), event.get_kind_display(), event.inquiry_id) for event in lines),
        )

    @admin.display(description="Response due", ordering="response_due_at")
    def due(self, obj: Conversation) -> SafeString | str:
        if obj.status not in OPEN_CONVERSATION_STATUSES:
            return "—"
        return due_badge(obj.response_due_at, now=timezone.now())


# --- Inquiries: the response-KPI ledger ---------------------------------------------------------


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "conversation_link",
        "seller",
        "status",
        "awaiting_since",
        "due",
        "answered_at",
        "first_response",
        "is_within_target",
        "escalation_at",
    )
    list_filter = ("status", DueFilter, "is_within_target", ("seller", admin.RelatedOnlyFieldListFilter))
    search_fields = ("conversation__subject", "seller__name", "conversation__buyer__username")
    list_select_related = ("conversation", "seller")
    date_hierarchy = "awaiting_since"
    fieldsets = (
        (None, {"fields": ("conversation_link", "seller", "status", "opening_message")}),
        ("Clock", {"fields": ("awaiting_since", "warn_at", "warning_at", "response_due_at", "escalation_at")}),
        (
            "Answer",
            {
                "fields": (
                    "answered_at",
                    "answered_by",
                    "answering_message",
                    "first_response",
                    "is_within_target",
                )
            },
        ),
        ("Excluded or closed", {"fields": ("excluded_at", "excluded_by", "exclusion_reason", "closed_at")}),
    )
    readonly_fields = (
        "conversation_link",
        "seller",
        "status",
        "opening_message",
        "awaiting_since",
        "warn_at",
        "warning_at",
        "response_due_at",
        "escalation_at",
        "answered_at",
        "answered_by",
        "answering_message",
        "first_response",
        "is_within_target",
        "excluded_at",
        "excluded_by",
        "exclusion_reason",
        "closed_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Inquiry]:
        return (
            super()
            .get_queryset(request)
            .select_related("conversation", "seller", "answered_by", "excluded_by", "opening_message", "clock")
        )

    # Computed times, shown in the reader's zone with its abbreviation (``core.timezones``).
    @admin.display(description="Warn at")
    def warn_at(self, obj: Inquiry) -> str:
        clock = obj._clock_or_none()
        return local_time_text(clock.warn_at) if clock and clock.warn_at else "—"

    @admin.display(description="Warned at")
    def warning_at(self, obj: Inquiry) -> str:
        return "—" if obj.warning_at is None else local_time_text(obj.warning_at)

    @admin.display(description="Escalated at")
    def escalation_at(self, obj: Inquiry) -> str:
        return "—" if obj.escalation_at is None else local_time_text(obj.escalation_at)

    @admin.display(description="Conversation", ordering="conversation__subject")
    def conversation_link(self, obj: Inquiry) -> SafeString | str:
        return admin_link(obj.conversation)

    @admin.display(description="Response due", ordering="response_due_at")
    def due(self, obj: Inquiry) -> SafeString | str:
        if obj.status != "open":
            return local_time_text(obj.response_due_at)
        return due_badge(obj.response_due_at, now=timezone.now())

    @admin.display(description="First response", ordering="first_response_seconds")
    def first_response(self, obj: Inquiry) -> str:
        return "—" if obj.first_response_seconds is None else duration_text(obj.first_response_seconds)


@admin.register(ConversationEvent)
class ConversationEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "conversation", "kind", "actor", "note")
    list_filter = ("kind",)
    search_fields = ("conversation__subject", "note", "actor__username")
    list_select_related = ("conversation", "actor")
    date_hierarchy = "created_at"


# --- Quick replies: the platform's starters ------------------------------------------------------


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ("title", "body", "keywords")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        # The same rules as the sellers' quick replies (lengths, NUL, known placeholders only).
        try:
            cleaned.update(_clean_fields(cleaned.get("title"), cleaned.get("body"), cleaned.get("keywords")))
        except InvalidInput as error:
            raise ValidationError({error.field or "body": error.message}) from error
        # The database cannot check this one: NULL sellers never collide in a unique constraint.
        duplicates = ReplyTemplate.objects.filter(seller__isnull=True, title=cleaned["title"])
        if self.instance.pk is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        if duplicates.exists():
            raise ValidationError({"title": "A starter with this title already exists."})
        return cleaned


class TemplateOwnerFilter(QueryFilter):
    title = "owner"
    parameter_name = "owner"
    conditions = {
        "platform": ("Platform starters", Q(seller__isnull=True)),
        "seller": ("Sellers' own", Q(seller__isnull=False)),
    }


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Staff maintain the platform's starters (every seller sees them); a seller's own quick
    replies are the seller's, edited on the seller dashboard, and only shown here."""

    form = ReplyTemplateForm
    list_display = ("title", "owner", "keywords", "updated_at", "created_by")
    list_filter = (TemplateOwnerFilter,)
    search_fields = ("title", "keywords", "body", "seller__name")
    list_select_related = ("seller", "created_by")
    fields = ("owner", "title", "body", "keywords", "created_by", "created_at", "updated_at")
    readonly_fields = ("owner", "created_by", "created_at", "updated_at")

    def has_change_permission(self, request: HttpRequest, obj: ReplyTemplate | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.seller_id is None)

    def has_delete_permission(self, request: HttpRequest, obj: ReplyTemplate | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.seller_id is None)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk delete would reach sellers' own templates too.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: ReplyTemplate, form: Any, change: bool) -> None:
        if not change:
            obj.seller = None
            obj.created_by = acting_user(request)
        super().save_model(request, obj, form, change)

    @admin.display(description="Owner", ordering="seller__name")
    def owner(self, obj: ReplyTemplate) -> str:
        return "Platform starter" if obj.seller_id is None else str(obj.seller)
