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
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User
from core.exceptions import DomainError
from inquiries.admin_common import OPEN_CONVERSATION_STATUSES, actor, admin_link, badge
from inquiries.models import ConversationStatus, Escalation, Message
from inquiries.selectors.conversations import open_escalated_at_of_conversation
from inquiries.selectors.threads import conversation_thread
from inquiries.services.escalations import escalation_assign, user_may_work_escalations
from inquiries.services.messaging import conversation_close, message_post
from inquiries.templatetags.inquiry_format import duration_text

RESOLUTIONS = {
    "staff_replied": "Support replied",
    "seller_replied": "The seller replied",
    "staff_closed": "Closed by support",
    "buyer_closed": "Closed by the buyer",
    "excluded": "The seller marked it as needing no response",
}


class StaffReplyForm(forms.Form):
    body = forms.CharField(
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


class ResolvedFilter(admin.SimpleListFilter):
    """Open escalations unless asked otherwise: the queue is the work still to do."""

    title = "status"
    parameter_name = "resolved"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Open"), ("yes", "Resolved"), ("all", "All")]

    def value(self) -> str:
        return super().value() or "no"

    def choices(self, changelist: Any) -> Any:
        # No "All" entry of Django's own: "all" is an explicit choice, the default is "Open".
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> QuerySet[Escalation]:
        if self.value() == "no":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class AssignmentFilter(admin.SimpleListFilter):
    title = "assignment"
    parameter_name = "assignment"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("unassigned", "Unassigned"), ("mine", "Assigned to me"), ("others", "Assigned to others")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> QuerySet[Escalation]:
        if self.value() == "unassigned":
            return queryset.filter(assignee__isnull=True)
        if self.value() == "mine":
            return queryset.filter(assignee_id=request.user.pk)
        if self.value() == "others":
            return queryset.filter(assignee__isnull=False).exclude(assignee_id=request.user.pk)
        return queryset


AGE_BANDS: dict[str, tuple[str, timedelta | None, timedelta | None]] = {
    # value: (label, at least, under)
    "lt1h": ("Under 1 hour", None, timedelta(hours=1)),
    "1to4h": ("1 to 4 hours", timedelta(hours=1), timedelta(hours=4)),
    "4to24h": ("4 to 24 hours", timedelta(hours=4), timedelta(hours=24)),
    "gt24h": ("Over a day", timedelta(hours=24), None),
}


class AgeFilter(admin.SimpleListFilter):
    """How long open escalations have been waiting in the queue."""

    title = "waiting in the queue (open ones)"
    parameter_name = "age"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, label) for value, (label, _, _) in AGE_BANDS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> QuerySet[Escalation]:
        band = AGE_BANDS.get(self.value() or "")
        if band is None:
            return queryset
        _, at_least, under = band
        now = timezone.now()
        condition = Q(resolved_at__isnull=True)
        if at_least is not None:
            condition &= Q(escalated_at__lte=now - at_least)
        if under is not None:
            condition &= Q(escalated_at__gt=now - under)
        return queryset.filter(condition)


# --- The queue ---------------------------------------------------------------------------------


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
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
    list_select_related = ("conversation__seller", "conversation__buyer", "assignee")
    ordering = ("escalated_at", "inquiry_id")  # oldest first: the buyer who has waited longest
    actions = ("assign_to_me", "unassign", "close_conversations")
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

    # The escalation itself is never edited or deleted here; the sweep creates it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_work_permission(self, request: HttpRequest) -> bool:
        """Assign, reply, close: support, moderators, admins (``inquiries.change_escalation``)."""
        user = request.user
        return (
            isinstance(user, User) and user.has_perm("inquiries.change_escalation") and user_may_work_escalations(user)
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<path:object_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="inquiries_escalation_reply",
            ),
            path(
                "<path:object_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name="inquiries_escalation_close",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Escalation]:
        return (
            super()
            .get_queryset(request)
            .select_related("conversation__seller", "conversation__buyer", "assignee", "resolved_by", "inquiry")
            .annotate(conversation_open_escalated_at=Subquery(open_escalated_at_of_conversation()))
        )

    # --- columns and fields ---

    @admin.display(description="Conversation", ordering="conversation__subject")
    def conversation_subject(self, obj: Escalation) -> SafeString:
        url = reverse("admin:inquiries_escalation_change", args=[obj.pk])
        return format_html('<a href="{}">#{} {}</a>', url, obj.conversation_id, obj.conversation.subject)

    @admin.display(description="Escalated", ordering="escalated_at")
    def escalated(self, obj: Escalation) -> str:
        return f"{obj.escalated_at:%Y-%m-%d %H:%M}"

    @admin.display(description="Resolved", ordering="resolved_at")
    def resolved(self, obj: Escalation) -> str:
        return "—" if obj.resolved_at is None else f"{obj.resolved_at:%Y-%m-%d %H:%M}"

    @admin.display(description="Conversation")
    def conversation_link(self, obj: Escalation) -> SafeString | str:
        return admin_link(obj.conversation)

    @admin.display(description="Seller", ordering="conversation__seller__name")
    def seller(self, obj: Escalation) -> str:
        return str(obj.conversation.seller)

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
        return f"{label}{by} on {obj.resolved_at:%Y-%m-%d %H:%M} UTC"

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
                "can_work": self.has_work_permission(request),
                "is_closed": escalation.conversation.status == ConversationStatus.CLOSED,
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def _get_or_404(self, request: HttpRequest, object_id: str) -> Escalation:
        escalation = self.get_object(request, object_id)
        if escalation is None or not self.has_view_permission(request, escalation):
            raise Http404
        if not self.has_work_permission(request):
            raise PermissionDenied
        return escalation

    def reply_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: the thread and the form; POST: ``message_post`` as the agent. A refusal (closed
        conversation, not staff) is shown on the form and nothing is written."""
        escalation = self._get_or_404(request, object_id)
        agent = actor(request)
        change_url = reverse("admin:inquiries_escalation_change", args=[escalation.pk])
        form = StaffReplyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                message_post(
                    conversation=escalation.conversation,
                    author=agent,
                    body=form.cleaned_data["body"],
                    now=timezone.now(),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                self.message_user(request, f"Reply not posted: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Reply posted in #{escalation.conversation_id} {escalation.conversation.subject}; "
                    "the inquiry is answered by support and the buyer is notified.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": escalation,
            "title": f"Reply as staff: #{escalation.conversation_id} {escalation.conversation.subject}",
            "thread": self._thread(escalation),
            "reply_form": form,
            "cancel_url": change_url,
        }
        return TemplateResponse(request, "admin/inquiries/escalation/reply.html", context)

    def close_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        escalation = self._get_or_404(request, object_id)
        agent = actor(request)
        conversation = escalation.conversation
        change_url = reverse("admin:inquiries_escalation_change", args=[escalation.pk])
        form = CloseConversationForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                conversation_close(conversation=conversation, actor=agent, now=timezone.now())
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request, f"Conversation #{conversation.pk} closed; the escalation is resolved.", messages.SUCCESS
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": escalation,
            "title": f"Close conversation #{conversation.pk} {conversation.subject}",
            "intro": "Closing ends the conversation without a reply: an open inquiry is closed with it and this "
            "escalation is resolved as closed by support. Nobody can post in it afterwards.",
            "form": form,
            "submit_label": "Close conversation",
            "cancel_url": change_url,
        }
        return TemplateResponse(request, "admin/service_form.html", context)

    # --- actions ---

    def _assign_all(self, request: HttpRequest, queryset: QuerySet[Escalation], *, to_me: bool) -> None:
        agent, now = actor(request), timezone.now()
        assignee = agent if to_me else None
        done, unchanged, skipped, refused = [], [], [], []
        for escalation in queryset.select_related("conversation"):
            label = f"#{escalation.conversation_id} {escalation.conversation.subject}"
            if escalation.resolved_at is not None:
                skipped.append(label)
                continue
            if escalation.assignee_id == (assignee.pk if assignee else None):
                unchanged.append(label)
                continue
            try:
                escalation_assign(escalation=escalation, assignee=assignee, actor=agent, now=now)
            except DomainError as error:
                refused.append(f"{label}: {error.message}")
            else:
                done.append(label)
        verb = "Assigned to you" if to_me else "Unassigned"
        if done:
            self.message_user(request, f"{verb}: {len(done)} ({'; '.join(done)}).", messages.SUCCESS)
        if unchanged:
            state = "Already yours" if to_me else "Already unassigned"
            self.message_user(request, f"{state}: {'; '.join(unchanged)}.", messages.INFO)
        if skipped:
            self.message_user(
                request, f"Skipped {len(skipped)} resolved escalation(s): {'; '.join(skipped)}.", messages.WARNING
            )
        if refused:
            self.message_user(request, f"Not changed: {'; '.join(refused)}", messages.ERROR)

    @admin.action(description="Assign to me", permissions=["work"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        self._assign_all(request, queryset, to_me=True)

    @admin.action(description="Unassign (back to the queue)", permissions=["work"])
    def unassign(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        self._assign_all(request, queryset, to_me=False)

    @admin.action(description="Close the conversations (no reply)", permissions=["work"])
    def close_conversations(self, request: HttpRequest, queryset: QuerySet[Escalation]) -> None:
        agent, now = actor(request), timezone.now()
        closed, skipped, refused = [], [], []
        for escalation in queryset.select_related("conversation"):
            label = f"#{escalation.conversation_id} {escalation.conversation.subject}"
            if escalation.resolved_at is not None:
                skipped.append(label)
                continue
            try:
                conversation_close(conversation=escalation.conversation, actor=agent, now=now)
            except DomainError as error:
                refused.append(f"{label}: {error.message}")
            else:
                closed.append(label)
        if closed:
            self.message_user(request, f"Closed {len(closed)}: {'; '.join(closed)}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"Skipped {len(skipped)} resolved escalation(s): {'; '.join(skipped)}.", messages.WARNING
            )
        if refused:
            self.message_user(request, f"Not closed: {'; '.join(refused)}", messages.ERROR)
