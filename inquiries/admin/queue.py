"""The support queue: escalated inquiries in the console.

The list opens on the open escalations, oldest first (the buyer who has waited longest). Agents
take rows with "Assign to me" (``escalation_assign``), answer the buyer from the escalation's page
("Reply as staff" calls ``message_post`` with the agent as author: the inquiry is answered as
escalated, the escalation resolved, the buyer notified) or close the conversation
(``conversation_close``). Nothing here writes a row itself: the escalation is read-only and every
change is a service call, refused changes leave the records as they were.
"""

from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User
from core.console import (
    ActionPage,
    Condition,
    QueryFilter,
    ReadOnlyAdmin,
    ServiceCall,
    Skip,
    admin_link,
    badge,
    bulk_service_action,
    posted,
    service_form_view,
)
from core.durations import duration_text
from core.exceptions import DomainError
from core.forms import LimitedTextField
from core.timezones import local_time_text
from inquiries.admin.common import OPEN_CONVERSATION_STATUSES
from inquiries.models import ConversationStatus, Escalation, Message
from inquiries.selectors.conversations import open_escalated_at_of_conversation
from inquiries.selectors.threads import conversation_thread
from inquiries.services.escalations import escalation_assign, user_may_work_escalations
from inquiries.services.messaging import conversation_close, message_post

RESOLUTIONS = {
    "staff_replied": "Support replied",
    "seller_replied": "The seller replied",
    "staff_closed": "Closed by support",
    "buyer_closed": "Closed by the buyer",
    "excluded": "The seller marked it as needing no response",
}


# A resolved escalation is left alone by the queue's actions (its conversation may still be worked
# from the conversation's own page).
RESOLVED = Skip("Skipped {count} resolved escalation(s)")


def _label(escalation: Escalation) -> str:
    return f"#{escalation.conversation_id} {escalation.conversation.subject}"


class StaffReplyForm(forms.Form):
    body = LimitedTextField(
        label="Reply to the buyer",
        # ``form``: the fields sit inside the page's read-only form; they submit with "sp-reply".
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80, "form": "sp-reply"}),
        max_length=settings.INQUIRIES_MESSAGE_MAX_LENGTH,
        help_text="Posted in the conversation as support: it answers the inquiry as escalated, resolves this "
        "escalation and notifies the buyer.",
    )


class CloseConversationForm(forms.Form):
    """Nothing to type: the conversation, its open inquiry and this escalation are closed."""


# --- Filters ----------------------------------------------------------------------------------


class ResolvedFilter(QueryFilter):
    """Open escalations unless asked otherwise: the queue is the work still to do."""

    title = "status"
    parameter_name = "resolved"
    conditions = {"no": ("Open", Q(resolved_at__isnull=True)), "yes": ("Resolved", Q(resolved_at__isnull=False))}
    default = "no"


class AssignmentFilter(QueryFilter):
    title = "assignment"
    parameter_name = "assignment"
    conditions = {
        "unassigned": ("Unassigned", Q(assignee__isnull=True)),
        "mine": ("Assigned to me", lambda request: Q(assignee_id=request.user.pk)),
        "others": ("Assigned to others", lambda request: Q(assignee__isnull=False) & ~Q(assignee_id=request.user.pk)),
    }


AGE_BANDS: dict[str, tuple[str, timedelta | None, timedelta | None]] = {
    # value: (label, at least, under)
    "lt1h": ("Under 1 hour", None, timedelta(hours=1)),
    "1to4h": ("1 to 4 hours", timedelta(hours=1), timedelta(hours=4)),
    "4to24h": ("4 to 24 hours", timedelta(hours=4), timedelta(hours=24)),
    "gt24h": ("Over a day", timedelta(hours=24), None),
}


def _waiting(at_least: timedelta | None, under: timedelta | None) -> Condition:
    """Open escalations escalated at least ``at_least`` and under ``under`` ago (now)."""

    def condition(request: HttpRequest) -> Q:
        now = timezone.now()
        waiting = Q(resolved_at__isnull=True)
        if at_least is not None:
            waiting &= Q(escalated_at__lte=now - at_least)
        if under is not None:
            waiting &= Q(escalated_at__gt=now - under)
        return waiting

    return condition


class AgeFilter(QueryFilter):
    """How long open escalations have been waiting in the queue."""

    title = "waiting in the queue (open ones)"
    parameter_name = "age"
    conditions = {value: (label, _waiting(at_least, under)) for value, (label, at_least, under) in AGE_BANDS.items()}


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = (
        "conversation_subject",
        "seller",
        "buyer",
        "escalated",
        "age",
        "assignee",
        "resolved",
        "status",
    )
    list_display_links = None
    empty_value_display = "—"
    list_filter = (ResolvedFilter, AssignmentFilter, AgeFilter)
    search_fields = (
        "conversation__subject",
        "conversation__seller__name",
        "conversation__buyer__username",
        "conversation__buyer__email",
        "conversation__buyer__first_name",
        "conversation__buyer__last_name",
    )
    # ``seller`` is the clock's own (a copy of the conversation's, kept for the sweep's digests).
    list_select_related = ("conversation__buyer", "seller", "assignee")
    ordering = ("escalated_at", "inquiry_id")  # oldest first: the buyer who has waited longest
    actions = ("assign_to_me", "unassign", "close_conversations")
    action_pages = (
        ActionPage("reply", "reply_view", "has_work_permission", "can_work"),
        ActionPage("close", "close_view", "has_work_permission", "can_work"),
        ActionPage("assign", "assign_view", "has_work_permission", "can_work"),
    )
    fieldsets = (
        (None, {"fields": ("conversation_link", "seller", "buyer", "conversation_status", "inquiry_link")}),
        ("Queue", {"fields": ("escalated_at", "age", "assignee", "assigned_at", "status")}),
        ("Resolution", {"fields": ("resolved_at", "resolved_by", "resolution_display")}),
    )
    readonly_fields = (
        "conversation_link",
        "seller",
        "buyer",
        "conversation_status",
        "inquiry_link",
        "escalated_at",
        "age",
        "assignee",
        "assigned_at",
        "status",
        "resolved_at",
        "resolved_by",
        "resolution_display",
    )

    def has_work_permission(self, request: HttpRequest) -> bool:
        """Assign, reply, close: support, moderators, admins (``inquiries.change_escalation``)."""
        user = request.user
        return (
            isinstance(user, User) and user.has_perm("inquiries.change_escalation") and user_may_work_escalations(user)
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Escalation]:
        return (
            super()
            .get_queryset(request)
            .select_related("conversation__buyer", "seller", "assignee", "resolved_by", "inquiry")
            .annotate(conversation_open_escalated_at=Subquery(open_escalated_at_of_conversation()))
        )

    # --- columns and fields ---

    @admin.display(description="Conversation", ordering="conversation__subject")
    def conversation_subject(self, obj: Escalation) -> SafeString:
        url = reverse("admin:inquiries_escalation_change", args=[obj.pk])
        return format_html('<a href="{}">#{} {}</a>', url, obj.conversation_id, obj.conversation.subject)

    @admin.display(description="Escalated", ordering="escalated_at")
    def escalated(self, obj: Escalation) -> str:
        return "—" if obj.escalated_at is None else local_time_text(obj.escalated_at)

    @admin.display(description="Resolved", ordering="resolved_at")
    def resolved(self, obj: Escalation) -> str:
        return "—" if obj.resolved_at is None else local_time_text(obj.resolved_at)

    @admin.display(description="Conversation")
    def conversation_link(self, obj: Escalation) -> SafeString | str:
        return admin_link(obj.conversation)

    @admin.display(description="Buyer", ordering="conversation__buyer__username")
    def buyer(self, obj: Escalation) -> str:
        return obj.conversation.buyer.display_name

    @admin.display(description="Conversation status")
    def conversation_status(self, obj: Escalation) -> str:
        return str(ConversationStatus(obj.conversation_status).label)

    @admin.display(description="Inquiry")
    def inquiry_link(self, obj: Escalation) -> SafeString | str:
        inquiry = obj.inquiry
        return admin_link(inquiry, f"Inquiry {inquiry.pk}: {inquiry.get_status_display()}")

    @admin.display(description="Age")
    def age(self, obj: Escalation) -> str:
        """Waiting time in the queue; for a resolved one, how long it took."""
        escalated_at = cast(datetime, obj.escalated_at)  # an escalation always has it
        if obj.resolved_at is not None:
            return f"took {duration_text((obj.resolved_at - escalated_at).total_seconds())}"
        return duration_text((timezone.now() - escalated_at).total_seconds())

    @admin.display(description="Status")
    def status(self, obj: Escalation) -> SafeString:
        if obj.resolved_at is not None:
            return badge(f"Resolved: {RESOLUTIONS.get(obj.resolution, obj.resolution).lower()}", "resolved")
        if obj.assignee_id is not None:
            return badge("In progress", "assigned")
        return badge("Unassigned", "unassigned")

    @admin.display(description="Resolution")
    def resolution_display(self, obj: Escalation) -> str:
        if obj.resolved_at is None:
            return "Open: a staff reply or closing the conversation resolves it."
        by = f" by {obj.resolved_by.display_name}" if obj.resolved_by is not None else ""
        label = RESOLUTIONS.get(obj.resolution, obj.resolution)
        return f"{label}{by} on {local_time_text(obj.resolved_at)}"

    # --- the change page: thread and reply form ---

    def _thread(self, escalation: Escalation) -> list[Message]:
        messages = (
            Message.objects.filter(conversation_id=escalation.conversation_id)
            .select_related("author")
            .order_by("created_at", "id")
        )
        return conversation_thread(conversation_id=escalation.conversation_id, messages=list(messages))

    def _can_reply(self, request: HttpRequest, escalation: Escalation) -> bool:
        return self.has_work_permission(request) and escalation.conversation.status in (
            *OPEN_CONVERSATION_STATUSES,
            ConversationStatus.ANSWERED,
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {"title": "Support queue", **(extra_context or {})})

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        escalation = self.get_object(request, object_id)
        extra: dict[str, Any] = {}
        if escalation is not None and self.has_view_permission(request, escalation):
            extra = {
                "thread": self._thread(escalation),
                "reply_form": StaffReplyForm() if self._can_reply(request, escalation) else None,
                "is_closed": escalation.conversation.status == ConversationStatus.CLOSED,
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def reply_view(self, request: HttpRequest, escalation: Escalation) -> HttpResponse:
        """GET: the thread and the form; POST: ``message_post`` as the agent. A refusal (closed
        conversation, not staff) is shown on the form and nothing is written."""
        form = StaffReplyForm(posted(request))
        return service_form_view(
            self,
            request,
            obj=escalation,
            form=form,
            title=f"Reply as staff: #{escalation.conversation_id} {escalation.conversation.subject}",
            intro="",
            submit_label="Post reply",
            run=lambda call: message_post(
                conversation=escalation.conversation, author=call.actor, body=call.data["body"], now=call.now
            ),
            success_message=f"Reply posted in #{escalation.conversation_id} {escalation.conversation.subject}; "
            "the inquiry is answered by support and the buyer is notified.",
            refused_message="Reply not posted",
            template="admin/inquiries/escalation/reply.html",
            context={"thread": self._thread(escalation), "reply_form": form},
        )

    def close_view(self, request: HttpRequest, escalation: Escalation) -> HttpResponse:
        conversation = escalation.conversation
        return service_form_view(
            self,
            request,
            obj=escalation,
            form=CloseConversationForm(posted(request)),
            title=f"Close conversation #{conversation.pk} {conversation.subject}",
            intro="Closing ends the conversation without a reply: an open inquiry is closed with it and this "
            "escalation is resolved as closed by support. Nobody can post in it afterwards.",
            submit_label="Close conversation",
            run=lambda call: conversation_close(conversation=conversation, actor=call.actor, now=call.now),
            success_message=f"Conversation #{conversation.pk} closed; the escalation is resolved.",
        )

    def assign_view(self, request: HttpRequest, escalation: Escalation) -> HttpResponse:
        """POST: "Assign to me" from the escalation's own page (the list's bulk action, for one), then
        back to the page. A GET only shows the page again: nothing changes without a POST."""
        change_url = reverse("admin:inquiries_escalation_change", args=[escalation.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        actor = cast(User, request.user)
        try:
            escalation_assign(escalation=escalation, assignee=actor, actor=actor, now=timezone.now())
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, "Assigned to you.", messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    # --- actions ---

    def _assign_all(self, request: HttpRequest, queryset: QuerySet[Escalation], *, to_me: bool) -> None:
        user_id = request.user.pk if to_me else None

        def skip(escalation: Escalation) -> Skip | None:
            if escalation.resolved_at is not None:
                return RESOLVED
            if escalation.assignee_id == user_id:
                return Skip("Already yours" if to_me else "Already unassigned", messages.INFO)
            return None

        def run(escalation: Escalation, call: ServiceCall) -> Escalation:
            assignee = call.actor if to_me else None
            return escalation_assign(escalation=escalation, assignee=assignee, actor=call.actor, now=call.now)

        bulk_service_action(
            self,
            request,
            queryset.select_related("conversation"),
            run=run,
            verb="Assigned to you" if to_me else "Unassigned",
            label=_label,
            skip=skip,
        )

    @admin.action(description="Assign to me", permissions=["work"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        self._assign_all(request, queryset, to_me=True)

    @admin.action(description="Unassign (back to the queue)", permissions=["work"])
    def unassign(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        self._assign_all(request, queryset, to_me=False)

    @admin.action(description="Close the conversations (no reply)", permissions=["work"])
    def close_conversations(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        bulk_service_action(
            self,
            request,
            queryset.select_related("conversation"),
            run=lambda escalation, call: conversation_close(
                conversation=escalation.conversation, actor=call.actor, now=call.now
            ),
            verb="Closed",
            label=_label,
            skip=lambda escalation: RESOLVED if escalation.resolved_at is not None else None,
        )
