"""Tickets in the console: the queues and the ticket page.

The list opens on the active tickets, the nearest deadline first, with filters for category,
department, priority, status, assignment and time left ("breaching", "due within 4 h"). A
ticket's page shows what it is about, its clock and its whole log (internal notes included);
staff who work tickets act from its buttons, each one service call (``helpdesk.services``).
"""

import functools
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core.console import (
    ActionPage,
    CappedCountPaginator,
    QueryFilter,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    ServiceCall,
    admin_link,
    age_text,
    badge,
    bulk_service_action,
    due_badge,
    posted,
    service_form_view,
)
from core.timezones import local_time_text
from helpdesk.models import (
    ACTIVE_STATUSES,
    Category,
    Department,
    FollowUp,
    Interaction,
    Macro,
    Priority,
    Ticket,
    TicketStatus,
)
from helpdesk.selectors.tickets import breaching_q
from helpdesk.services.access import user_may_work_tickets
from helpdesk.services.macros import macro_render
from helpdesk.services.records import (
    ticket_invoice_reissue,
    ticket_order_status_answer,
    ticket_receipt_reissue,
    ticket_receipt_resend,
    ticket_receipt_verify,
    ticket_refund,
    ticket_refund_grants,
    ticket_refund_send,
)
from helpdesk.services.tickets import (
    ticket_assign,
    ticket_close,
    ticket_escalate,
    ticket_follow_up,
    ticket_interaction_add,
    ticket_resolve,
)
from marketplace.models import Receipt, RefundGrant
from marketplace.selectors.billing import receipt_verification
from marketplace.selectors.orders import order_status_answer_text
from marketplace.services.refunds import DifferenceKind

_TEXTAREA = forms.Textarea(attrs={"rows": 5, "cols": 80})


class ReplyForm(forms.Form):
    macro = forms.ModelChoiceField(
        label="Macro",
        queryset=Macro.objects.none(),
        required=False,
        help_text="Fills in the placeholders for this ticket; leave the message empty to send it as it is.",
    )
    body = forms.CharField(label="Message", required=False, max_length=5000, widget=_TEXTAREA)
    wait_for_customer = forms.BooleanField(
        label="Ask the customer (wait for their answer)",
        required=False,
        help_text="Pauses the clock; the customer is reminded and, without an answer, the ticket closes.",
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        field: Any = self.fields["macro"]
        field.queryset = Macro.objects.filter(is_active=True).filter(Q(category=ticket.category) | Q(category=""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("body") and not data.get("macro"):
            self.add_error("body", "Write a message or choose a macro.")
        return data


class EntryForm(forms.Form):
    body = forms.CharField(label="Text", max_length=5000, widget=_TEXTAREA)


class EscalateForm(forms.Form):
    department = forms.ChoiceField(label="Department", choices=Department.choices)
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label="Resolution", max_length=5000, widget=_TEXTAREA, help_text="What was done: sent to the customer."
    )


class FollowUpForm(forms.Form):
    due_at = forms.DateTimeField(
        label="Due at (UTC)", help_text="e.g. 2026-12-08 09:00", widget=forms.DateTimeInput(attrs={"size": 20})
    )
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    note = forms.CharField(
        label="Note for the customer", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(forms.Form):
    pass


class OrderStatusForm(forms.Form):
    pass


class InvoiceReissueForm(forms.Form):
    reason = forms.CharField(
        label="What was corrected, and why", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    tax = forms.DecimalField(label="Tax", required=False, max_digits=14, decimal_places=2, min_value=0)
    discount = forms.DecimalField(label="Discount", required=False, max_digits=14, decimal_places=2, min_value=0)
    shipping_fee = forms.DecimalField(label="Shipping", required=False, max_digits=14, decimal_places=2, min_value=0)


class ReceiptResendForm(forms.Form):
    email = forms.EmailField(label="Send to", required=False, help_text="Empty: the customer's account address.")


class ReceiptReissueForm(forms.Form):
    reason = forms.CharField(label="What was wrong", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    email = forms.EmailField(label="Send to", required=False, help_text="Empty: the customer's account address.")


class RefundForm(forms.Form):
    kind = forms.ChoiceField(
        label="What happened",
        choices=[(DifferenceKind.OVERCHARGE, "Overcharge"), (DifferenceKind.DUPLICATE, "Duplicate charge")],
    )
    amount = forms.DecimalField(
        label="The difference you expect",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="Optional check: exactly what the order was paid beyond what it owes is refunded, never more.",
    )
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RefundSendForm(forms.Form):
    grant = forms.ModelChoiceField(label="Granted refund", queryset=RefundGrant.objects.none())

    def __init__(self, *args: Any, grants: list[RefundGrant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["grant"]
        field.queryset = RefundGrant.objects.filter(pk__in=[grant.pk for grant in grants])
        field.label_from_instance = lambda grant: f"{grant.amount} — {grant.reason} (granted by {grant.granted_by})"
        if len(grants) == 1:
            field.initial = grants[0].pk


class InteractionInline(ReadOnlyTabularInline):
    model = Interaction
    fields = ("created_at", "kind", "direction", "channel", "author", "action", "body", "is_internal")
    readonly_fields = fields
    verbose_name_plural = "interaction log"
    related = ("author",)
    ordering = ("created_at", "id")


class FollowUpInline(ReadOnlyTabularInline):
    model = FollowUp
    fields = ("due_at", "owner", "note", "escalated_at", "stopped_at")
    readonly_fields = fields
    verbose_name_plural = "follow-ups"
    related = ("owner",)


# An active ticket always has its running clock (``ticket_open`` starts it, resolving and closing
# stop it, reopening restarts it). Saying so in the queue's conditions makes the clock an inner
# join, so PostgreSQL reads the running clocks' index (``hd_clock_running_idx``) in deadline order
# and stops after a page, instead of joining and sorting every active ticket.
RUNNING_CLOCK = Q(clock__stopped_at__isnull=True, clock__due_at__isnull=False)


def _active(condition: Q | None = None) -> Q:
    return Q(status__in=ACTIVE_STATUSES) & RUNNING_CLOCK & (condition or Q())


class QueueFilter(QueryFilter):
    title = "queue"
    parameter_name = "queue"
    conditions = {
        "active": ("Active", _active()),
        "mine": ("Assigned to me", lambda request: _active(Q(assignee=request.user))),
        "unassigned": ("Unassigned", _active(Q(assignee__isnull=True))),
        "new": ("New", _active(Q(status=TicketStatus.NEW))),
        "escalated": ("Escalated", _active(Q(status=TicketStatus.ESCALATED))),
        "pending": ("Waiting on the customer", _active(Q(status=TicketStatus.PENDING_CUSTOMER))),
        "done": ("Resolved or closed", Q(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])),
    }
    default = "active"


class TimeLeftFilter(QueryFilter):
    title = "time left"
    parameter_name = "time_left"
    conditions = {
        "breaching": ("Past target", lambda request: breaching_q(now=timezone.now())),
        "soon": (
            "Due within 4 hours",
            lambda request: Q(
                clock__stopped_at__isnull=True,
                clock__paused_at__isnull=True,
                clock__due_at__gt=timezone.now(),
                clock__due_at__lte=timezone.now() + timedelta(hours=4),
            ),
        ),
        "today": (
            "Due within 24 hours",
            lambda request: Q(
                clock__stopped_at__isnull=True,
                clock__paused_at__isnull=True,
                clock__due_at__gt=timezone.now(),
                clock__due_at__lte=timezone.now() + timedelta(hours=24),
            ),
        ),
        "paused": ("Clock paused", Q(clock__stopped_at__isnull=True, clock__paused_at__isnull=False)),
    }


def _repeated(*fields: str) -> Q:
    """Tickets sharing their category and ``fields`` (the same order, the same store) with another
    ticket: a recurring problem."""
    others = Ticket.objects.filter(category=OuterRef("category"), **{field: OuterRef(field) for field in fields})
    return Q(Exists(others.exclude(pk=OuterRef("pk"))), **{f"{field}__isnull": False for field in fields})


class RecurringFilter(QueryFilter):
    title = "recurring"
    parameter_name = "recurring"
    conditions = {
        "order": ("Same category, same order", _repeated("order_id")),
        "seller": ("Same category, same store", _repeated("order__seller_id")),
    }


@functools.cache
def _ticket_url(script_prefix: str) -> str:
    """The ticket page's URL with ``{}`` for the id: one ``reverse`` per process, not one per queue row."""
    return reverse("admin:helpdesk_ticket_change", args=[0]).replace("/0/", "/{}/")


CATEGORY_LABELS = dict(Category.choices)
DEPARTMENT_LABELS = dict(Department.choices)
PRIORITY_LABELS = dict(Priority.choices)
STATUS_LABELS = dict(TicketStatus.choices)


@functools.lru_cache(maxsize=64)
def _choice_badge(label: str, tone: str) -> SafeString:
    """A status or priority badge: a handful of distinct ones, built once each, not once a row."""
    return badge(label, tone)


PRIORITY_TONES = {"urgent": "overdue", "high": "due-soon", "normal": "assigned", "low": "kind"}


class QueuePaginator(CappedCountPaginator):
    """The queue counts at most five pages (250 tickets; past that it says "more than 250, filter
    to narrow"): agents work the nearest deadlines at the top. Counting 251 rows of a filtered
    queue PostgreSQL does by walking the tickets' index to their clocks (0.5 ms at 1,000,000 log
    entries, 40,000 active tickets); for 1,001 it hashes every matching ticket first (2.9 ms, more
    than the page itself)."""

    cap = 250


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = (
        "reference_link",
        "subject",
        "category",
        "priority_badge",
        "status_badge",
        "department",
        "assignee",
        "time_left",
        "age",
    )
    list_display_links = None
    list_filter = (
        QueueFilter,
        TimeLeftFilter,
        RecurringFilter,
        "category",
        "department",
        "priority",
        "status",
        "channel",
    )
    search_fields = ("reference", "subject", "customer__username", "customer__email", "order__number")
    list_select_related = ("clock", "assignee")
    ordering = ("clock__due_at", "id")  # the nearest deadline first
    list_per_page = 50
    # The queue is tens of thousands of tickets: no unfiltered total, and the filtered count stops
    # at five pages (``QueuePaginator``), each exact count costing more than the page.
    show_full_result_count = False
    paginator = QueuePaginator
    actions = ("assign_to_me",)
    fieldsets = (
        (None, {"fields": ("reference", "subject", "customer_link", "status_badge", "priority_badge", "channel")}),
        ("About", {"fields": ("category", "subcategory", "order_link", "invoice_link", "payment_link")}),
        (
            "Clock",
            {"fields": ("clock_text", "first_response_due_at", "first_response_at", "department", "escalated_at")},
        ),
        ("Work", {"fields": ("assignee", "resolution", "resolved_by", "resolved_at", "closed_at")}),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "reference",
        "subject",
        "customer_link",
        "status_badge",
        "priority_badge",
        "channel",
        "category",
        "subcategory",
        "order_link",
        "invoice_link",
        "payment_link",
        "clock_text",
        "first_response_due_at",
        "first_response_at",
        "department",
        "escalated_at",
        "assignee",
        "resolution",
        "resolved_by",
        "resolved_at",
        "closed_at",
        "created_at",
        "updated_at",
    )
    inlines = (InteractionInline, FollowUpInline)
    action_pages = (
        ActionPage("assign-to-me", "assign_view", "has_work_permission", "can_work", name="assign"),
        ActionPage("reply", "reply_view", "has_work_permission", "can_work"),
        ActionPage("call", "call_view", "has_work_permission", "can_work"),
        ActionPage("note", "note_view", "has_work_permission", "can_work"),
        ActionPage("escalate", "escalate_view", "has_work_permission", "can_work"),
        ActionPage("resolve", "resolve_view", "has_work_permission", "can_work"),
        ActionPage("follow-up", "follow_up_view", "has_work_permission", "can_work", name="follow_up"),
        ActionPage("close", "close_view", "has_work_permission", "can_work"),
        ActionPage("order-status", "order_status_view", "has_work_permission", "can_work", name="order_status"),
        ActionPage("reissue-invoice", "reissue_view", "has_work_permission", "can_work", name="reissue"),
        ActionPage("resend-receipt", "resend_view", "has_work_permission", "can_work", name="resend"),
        ActionPage("verify-receipt", "verify_view", "has_work_permission", "can_work", name="verify_receipt"),
        ActionPage(
            "reissue-receipt", "receipt_reissue_view", "has_work_permission", "can_work", name="reissue_receipt"
        ),
        ActionPage("refund", "refund_view", "has_work_permission", "can_work"),
        ActionPage("send-refund", "refund_send_view", "has_work_permission", "can_work", name="send_refund"),
    )

    # The queue's rows read only what its columns show (the changelist adds ``list_select_related``);
    # the ticket page and its actions read the ticket with everything it is about.
    QUEUE_COLUMNS = (
        "reference",
        "subject",
        "category",
        "priority",
        "status",
        "department",
        "created_at",
        "assignee__username",
        "assignee__first_name",
        "assignee__last_name",
        "clock__due_at",
        "clock__paused_at",
        "clock__stopped_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return super().get_queryset(request).only(*self.QUEUE_COLUMNS)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Ticket | None:
        queryset = (
            super()
            .get_queryset(request)
            .select_related("clock", "assignee", "customer", "order", "invoice", "payment", "resolved_by")
        )
        field: Any = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Ticket.DoesNotExist, ValueError, ValidationError):
            return None

    def has_work_permission(self, request: HttpRequest) -> bool:
        return user_may_work_tickets(request.user)  # type: ignore[arg-type]

    # --- columns ---

    @admin.display(description="Ticket", ordering="reference")
    def reference_link(self, obj: Ticket) -> SafeString | str:
        url = _ticket_url(get_script_prefix()).format(obj.pk)
        return mark_safe(f'<a href="{url}">{escape(obj.reference)}</a>')  # noqa: S308 (the id is a number)

    @admin.display(description="Priority", ordering="priority")
    def priority_badge(self, obj: Ticket) -> SafeString:
        return _choice_badge(PRIORITY_LABELS.get(obj.priority, obj.priority), PRIORITY_TONES.get(obj.priority, "kind"))

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Ticket) -> SafeString:
        tone = "resolved" if obj.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) else "assigned"
        if obj.status == TicketStatus.NEW:
            tone = "unassigned"
        return _choice_badge(STATUS_LABELS.get(obj.status, obj.status), tone)

    @admin.display(description="Time left", ordering="clock__due_at")
    def time_left(self, obj: Ticket, now: datetime | None = None, tz: tzinfo | None = None) -> SafeString | str:
        clock = getattr(obj, "clock", None)
        if clock is None or clock.stopped_at is not None:
            return "—"
        if clock.paused_at is not None:
            return badge("paused", "kind")
        return due_badge(clock.due_at, now=now or timezone.now(), tz=tz)

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj: Ticket, now: datetime | None = None, tz: tzinfo | None = None) -> SafeString:
        """How long ago the customer asked (the opening time on hover): what a queue sorts by
        after the deadline."""
        opened = local_time_text(obj.created_at, tz=tz)
        age = age_text(obj.created_at, now=now or timezone.now())
        return mark_safe(f'<span class="sp-nowrap" title="Opened {escape(opened)}">{escape(age)}</span>')  # noqa: S308

    @admin.display(description="Clock")
    def clock_text(self, obj: Ticket) -> SafeString | str:
        clock = getattr(obj, "clock", None)
        if clock is None:
            return "—"
        state = "stopped" if clock.stopped_at else "paused" if clock.paused_at else "running"
        marks = ""
        if clock.warned_at:
            marks += f"; warned {local_time_text(clock.warned_at)}"
        if clock.escalated_at:
            marks += f"; target passed, escalated {local_time_text(clock.escalated_at)}"
        return format_html(
            "{} target, {}: due {}{}",
            clock.get_target_display(),
            state,
            due_badge(clock.due_at, now=timezone.now()),
            marks,
        )

    @admin.display(description="Customer")
    def customer_link(self, obj: Ticket) -> SafeString:
        """The customer, linked to their timeline (every ticket, order, conversation, review)."""
        return format_html(
            '<a href="{}" title="Customer timeline">{}</a> &lt;{}&gt;',
            reverse("admin:accounts_user_timeline", args=[obj.customer_id]),
            obj.customer.display_name,
            obj.customer.email,
        )

    @admin.display(description="Order")
    def order_link(self, obj: Ticket) -> SafeString | str:
        return admin_link(obj.order, obj.order.number if obj.order else None)

    @admin.display(description="Invoice")
    def invoice_link(self, obj: Ticket) -> SafeString | str:
        return admin_link(obj.invoice)

    @admin.display(description="Payment")
    def payment_link(self, obj: Ticket) -> SafeString | str:
        return admin_link(obj.payment)

    # --- the queue's rows, rendered directly ---

    QUEUE_ROW_COLUMNS = ("action_checkbox", *list_display)

    def queue_row(self, ticket: Ticket, *, now: datetime | None = None, tz: tzinfo | None = None) -> SafeString:
        """The queue row's cells, the HTML Django's changelist (``items_for_result``) renders for
        ``list_display``, built as one string without its per-cell field lookups and templates:
        those were most of the queue page's time. ``test_the_queue_rows_are_the_html_djangos_changelist_renders``
        holds the two equal; ``helpdesk_queue_results`` uses it only while the columns are
        ``QUEUE_ROW_COLUMNS``."""
        empty = self.get_empty_value_display()
        assignee = empty if ticket.assignee is None else conditional_escape(str(ticket.assignee))
        now = now or timezone.now()
        tz = tz or timezone.get_current_timezone()
        return mark_safe(  # noqa: S308 (every value escaped here or by the cell's own method)
            f'<td class="action-checkbox">{self.action_checkbox(ticket)}</td>'
            f'<td class="field-reference_link">{self.reference_link(ticket)}</td>'
            f'<td class="field-subject">{escape(ticket.subject)}</td>'
            f'<td class="field-category">{conditional_escape(CATEGORY_LABELS.get(ticket.category, empty))}</td>'
            f'<td class="field-priority_badge">{self.priority_badge(ticket)}</td>'
            f'<td class="field-status_badge">{self.status_badge(ticket)}</td>'
            f'<td class="field-department">{conditional_escape(DEPARTMENT_LABELS.get(ticket.department, empty))}</td>'
            f'<td class="field-assignee nowrap">{assignee}</td>'
            f'<td class="field-time_left">{conditional_escape(self.time_left(ticket, now=now, tz=tz))}</td>'
            f'<td class="field-age">{self.age(ticket, now=now, tz=tz)}</td>'
        )

    # --- bulk ---

    @admin.action(description="Assign to me")
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> HttpResponse | None:
        if not self.has_work_permission(request):
            self.message_user(request, "Only support and department staff work tickets.", level=40)
            return None
        return bulk_service_action(
            self,
            request,
            queryset,
            run=lambda ticket, call: ticket_assign(ticket=ticket, actor=call.actor, now=call.now),
            verb="Assigned to you",
            label=lambda ticket: ticket.reference,
        )

    # --- the ticket page's actions ---

    def _details(self, ticket: Ticket) -> list[tuple[str, object]]:
        details: list[tuple[str, object]] = [
            ("Ticket", f"{ticket.reference}: {ticket.subject}"),
            ("Customer", ticket.customer.display_name),
            ("Category", f"{ticket.get_category_display()} {ticket.get_subcategory_display() or ''}".strip()),
        ]
        if ticket.order is not None:
            details.append(("Order", f"{ticket.order.number} ({ticket.order.total} {ticket.order.currency})"))
        last = (
            Interaction.objects.filter(ticket=ticket, kind="message", direction="inbound")
            .order_by("-created_at", "-id")
            .first()
        )
        if last is not None:
            details.append(("Customer's last message", last.body))
        return details

    def _form(self, request: HttpRequest, ticket: Ticket, **kwargs: Any) -> HttpResponse:
        return service_form_view(self, request, obj=ticket, details=self._details(ticket), **kwargs)

    def assign_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=ConfirmForm(posted(request)),
            title=f"Assign {ticket.reference} to me",
            intro="You become the ticket's owner: the customer's replies and its deadlines come to you.",
            submit_label="Assign to me",
            run=lambda call: ticket_assign(ticket=ticket, actor=call.actor, now=call.now),
            success_message=f"{ticket.reference} is assigned to you.",
        )

    def reply_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        def run(call: ServiceCall) -> object:
            body = call.data["body"] or macro_render(macro=call.data["macro"], ticket=ticket)
            return ticket_interaction_add(
                ticket=ticket,
                actor=call.actor,
                kind="message",
                body=body,
                wait_for_customer=call.data["wait_for_customer"],
                now=call.now,
            )

        return self._form(
            request,
            ticket,
            form=ReplyForm(posted(request), ticket=ticket),
            title=f"Reply to {ticket.customer.display_name} on {ticket.reference}",
            intro="Sent to the customer (page and email) and logged.",
            submit_label="Send reply",
            run=run,
            success_message=f"{ticket.reference}: reply sent.",
        )

    def call_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=EntryForm(posted(request)),
            title=f"Log a phone call on {ticket.reference}",
            intro="What was said on the phone: logged on the phone channel and shown to the customer.",
            submit_label="Log call",
            run=lambda call: ticket_interaction_add(
                ticket=ticket, actor=call.actor, kind="call", body=call.data["body"], now=call.now
            ),
            success_message=f"{ticket.reference}: call logged.",
        )

    def note_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=EntryForm(posted(request)),
            title=f"Internal note on {ticket.reference}",
            intro="For staff only: never shown or sent to the customer.",
            submit_label="Add note",
            run=lambda call: ticket_interaction_add(
                ticket=ticket, actor=call.actor, kind="note", body=call.data["body"], now=call.now
            ),
            success_message=f"{ticket.reference}: note added.",
        )

    def escalate_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=EscalateForm(posted(request)),
            title=f"Escalate {ticket.reference} to a department",
            intro="The department's own target runs from now; its staff are told, and the customer hears who has "
            "the request and by when. The reason stays internal.",
            submit_label="Escalate",
            run=lambda call: ticket_escalate(
                ticket=ticket,
                actor=call.actor,
                department=call.data["department"],
                reason=call.data["reason"],
                now=call.now,
            ),
            success_message=f"{ticket.reference} escalated; the customer is told.",
        )

    def resolve_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=ResolveForm(posted(request)),
            title=f"Resolve {ticket.reference}",
            intro="The clock and follow-ups stop; the customer gets the resolution and may reopen by replying.",
            submit_label="Resolve",
            run=lambda call: ticket_resolve(
                ticket=ticket, actor=call.actor, resolution=call.data["resolution"], now=call.now
            ),
            success_message=f"{ticket.reference} resolved; the customer is told.",
        )

    def follow_up_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=FollowUpForm(posted(request)),
            title=f"Follow up on {ticket.reference}",
            intro="You are reminded when it is due.",
            submit_label="Schedule follow-up",
            run=lambda call: ticket_follow_up(
                ticket=ticket, actor=call.actor, due_at=call.data["due_at"], note=call.data["note"], now=call.now
            ),
            success_message=f"{ticket.reference}: follow-up scheduled.",
        )

    def close_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=CloseForm(posted(request)),
            title=f"Close {ticket.reference}",
            intro="A resolved ticket, or one the customer has not answered: closed for good (no reopening).",
            submit_label="Close",
            run=lambda call: ticket_close(ticket=ticket, actor=call.actor, note=call.data["note"], now=call.now),
            success_message=f"{ticket.reference} closed.",
        )

    # --- actions on the real records (one marketplace service each, logged on the ticket) ---

    def order_status_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        preview = (
            order_status_answer_text(order=ticket.order, now=timezone.now())
            if ticket.order is not None
            else "This ticket names no order."
        )
        return self._form(
            request,
            ticket,
            form=OrderStatusForm(posted(request)),
            title=f"Send the order status on {ticket.reference}",
            intro="This answer, built from the order and its tracking, is sent to the customer as the reply.",
            submit_label="Send order status",
            run=lambda call: ticket_order_status_answer(ticket=ticket, actor=call.actor, now=call.now),
            success_message=f"{ticket.reference}: order status sent.",
            context={"details": [*self._details(ticket), ("Answer", preview)]},
        )

    def reissue_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=InvoiceReissueForm(posted(request)),
            title=f"Reissue the invoice of {ticket.reference}",
            intro="A corrected version, linked to the one it supersedes (kept), sent to the customer with the "
            "explanation. Empty amounts keep the current version's.",
            submit_label="Reissue invoice",
            run=lambda call: ticket_invoice_reissue(
                ticket=ticket,
                actor=call.actor,
                reason=call.data["reason"],
                tax=call.data["tax"],
                discount=call.data["discount"],
                shipping_fee=call.data["shipping_fee"],
                now=call.now,
            ),
            success_message=f"{ticket.reference}: corrected invoice issued; the customer is told.",
        )

    def resend_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=ReceiptResendForm(posted(request)),
            title=f"Resend the receipt of {ticket.reference}",
            intro="The payment's receipt is sent again and the delivery logged.",
            submit_label="Resend receipt",
            run=lambda call: ticket_receipt_resend(
                ticket=ticket, actor=call.actor, email=call.data["email"] or None, now=call.now
            ),
            success_message=f"{ticket.reference}: receipt sent again.",
        )

    def verify_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        receipt = Receipt.objects.filter(payment_id=ticket.payment_id).first() if ticket.payment_id else None
        found: object = "This payment has no receipt yet."
        if receipt is not None:
            check = receipt_verification(receipt=receipt)
            found = (
                f"{receipt.number}: correct." if check.is_correct else f"{receipt.number}: {' '.join(check.problems)}"
            )
        return self._form(
            request,
            ticket,
            form=ConfirmForm(posted(request)),
            title=f"Verify the receipt of {ticket.reference}",
            intro="The receipt checked against its payment (taken, the captured amount) and the customer's address; "
            "the findings are logged on the ticket for staff.",
            submit_label="Log the check",
            run=lambda call: ticket_receipt_verify(ticket=ticket, actor=call.actor, now=call.now),
            success_message=f"{ticket.reference}: receipt checked and logged.",
            context={"details": [*self._details(ticket), ("Receipt check", found)]},
        )

    def receipt_reissue_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=ReceiptReissueForm(posted(request)),
            title=f"Reissue the receipt of {ticket.reference}",
            intro="A corrected receipt (new number, the captured amount) sent to the right address; what it said "
            "before is kept with the reason.",
            submit_label="Reissue receipt",
            run=lambda call: ticket_receipt_reissue(
                ticket=ticket,
                actor=call.actor,
                reason=call.data["reason"],
                email=call.data["email"] or None,
                now=call.now,
            ),
            success_message=f"{ticket.reference}: corrected receipt sent.",
        )

    def refund_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        return self._form(
            request,
            ticket,
            form=RefundForm(posted(request), initial={"kind": ticket.subcategory}),
            title=f"Refund the difference on {ticket.reference}",
            intro="Refunds exactly what the order was paid beyond what it owes, from the ticket's payment. Above "
            "the approval threshold (or from support) the refund is granted and finance sends it.",
            submit_label="Refund the difference",
            run=lambda call: ticket_refund(
                ticket=ticket,
                actor=call.actor,
                kind=call.data["kind"],
                amount=call.data["amount"],
                reason=call.data["reason"],
                now=call.now,
            ),
            success_message=f"{ticket.reference}: refund issued, or granted for finance to send; the customer is told.",
        )

    def refund_send_view(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        grants = ticket_refund_grants(ticket=ticket)
        return self._form(
            request,
            ticket,
            form=RefundSendForm(posted(request), grants=grants),
            title=f"Send the granted refund on {ticket.reference}",
            intro="Finance sends a refund support granted; whoever granted it may not send it.",
            submit_label="Send refund",
            run=lambda call: ticket_refund_send(
                ticket=ticket, actor=call.actor, grant=call.data["grant"], now=call.now
            ),
            success_message=f"{ticket.reference}: refund sent; the customer is told.",
        )
