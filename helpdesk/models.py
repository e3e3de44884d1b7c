"""Help desk tickets: a customer's question about an order, an invoice, a receipt or a payment,
its interaction log (every message, call, internal note and action), its SLA clock
(``core.sla``), follow-up reminders, the wait on the customer, and the staff's reply macros.

What a ticket needs depends on its category (``CATEGORY_RECORD``: the record it must name, and
its subcategories); the status moves only along ``TRANSITIONS`` (``helpdesk.services``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.sla import SlaClock
from marketplace.models import Invoice, Order, Payment


class Category(models.TextChoices):
    ORDER_STATUS = "order_status", "Order status"
    INVOICE = "invoice", "Invoice"
    RECEIPT = "receipt", "Receipt"
    PAYMENT = "payment", "Payment"
    OTHER = "other", "Other"


class Subcategory(models.TextChoices):
    WRONG_CHARGE = "wrong_charge", "Wrong charge"
    MISSING_ITEM = "missing_item", "Missing item"
    TAX = "tax", "Tax"
    DISCOUNT = "discount", "Discount"
    RECEIPT_MISSING = "receipt_missing", "Receipt missing"
    RECEIPT_INCORRECT = "receipt_incorrect", "Receipt incorrect"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    PAYMENT_DECLINED = "payment_declined", "Payment declined"
    OVERCHARGE = "overcharge", "Overcharge"
    DUPLICATE_CHARGE = "duplicate_charge", "Duplicate charge"
    REFUND_STATUS = "refund_status", "Refund status"


# The subcategories each category allows (none: the subcategory stays blank).
SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    Category.ORDER_STATUS: (),
    Category.INVOICE: (Subcategory.WRONG_CHARGE, Subcategory.MISSING_ITEM, Subcategory.TAX, Subcategory.DISCOUNT),
    Category.RECEIPT: (Subcategory.RECEIPT_MISSING, Subcategory.RECEIPT_INCORRECT),
    Category.PAYMENT: (
        Subcategory.PAYMENT_FAILED,
        Subcategory.PAYMENT_DECLINED,
        Subcategory.OVERCHARGE,
        Subcategory.DUPLICATE_CHARGE,
        Subcategory.REFUND_STATUS,
    ),
    Category.OTHER: (),
}
# The record a ticket of each category must name (``order``, ``invoice``, ``payment``; None: optional).
CATEGORY_RECORD: dict[str, str | None] = {
    Category.ORDER_STATUS: "order",
    Category.INVOICE: "invoice",
    Category.RECEIPT: "payment",
    Category.PAYMENT: "payment",
    Category.OTHER: None,
}


class Channel(models.TextChoices):
    WEB = "web", "Web"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


# Queue order: urgent first.
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Department(models.TextChoices):
    """Each is a staff group of the same name (``helpdesk.roles``)."""

    FINANCE = "finance", "Finance"
    BILLING = "billing", "Billing"
    LOGISTICS = "logistics", "Logistics"
    TECHNICAL = "technical", "Technical"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING_CUSTOMER = "pending_customer", "Pending customer"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


TRANSITIONS: dict[str, set[str]] = {
    TicketStatus.NEW: {TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, TicketStatus.ESCALATED, TicketStatus.RESOLVED},
    TicketStatus.OPEN: {TicketStatus.PENDING_CUSTOMER, TicketStatus.ESCALATED, TicketStatus.RESOLVED},
    TicketStatus.PENDING_CUSTOMER: {
        TicketStatus.OPEN,
        TicketStatus.ESCALATED,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    },
    TicketStatus.ESCALATED: {TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER, TicketStatus.RESOLVED},
    # A customer's reply within ``HELPDESK_REOPEN_WINDOW`` reopens a resolved ticket.
    TicketStatus.RESOLVED: {TicketStatus.OPEN, TicketStatus.CLOSED},
    TicketStatus.CLOSED: set(),
}
ACTIVE_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.OPEN,
    TicketStatus.PENDING_CUSTOMER,
    TicketStatus.ESCALATED,
)


class Ticket(models.Model):
    reference = models.CharField(max_length=32, unique=True, help_text="Human reference, e.g. HD-2026-000123")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets")
    category = models.CharField(max_length=16, choices=Category.choices)
    subcategory = models.CharField(max_length=20, choices=Subcategory.choices, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    subject = models.CharField(max_length=200)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    department = models.CharField(max_length=12, choices=Department.choices, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True, help_text="Last escalated to a department")
    first_response_due_at = models.DateTimeField(help_text="The first-response target promised at opening")
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="hd_ticket_customer_idx"),
            models.Index(
                fields=["category", "-created_at"],
                condition=Q(status__in=["new", "open", "pending_customer", "escalated"]),
                name="hd_ticket_active_cat_idx",
            ),
            models.Index(
                fields=["department", "-created_at"],
                condition=Q(status="escalated"),
                name="hd_ticket_escalated_idx",
            ),
            # The queue's capped count of a category (and "unassigned"): read from the index alone.
            models.Index(
                fields=["category", "assignee", "id"],
                condition=Q(status__in=["new", "open", "pending_customer", "escalated"]),
                name="hd_ticket_active_assignee_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="escalated") | ~Q(department=""), name="hd_ticket_escalated_has_department"
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False), name="hd_ticket_resolved_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ClockTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    RESOLUTION = "resolution", "Resolution"
    DEPARTMENT = "department", "Department"


class TicketClock(SlaClock):
    """The ticket's SLA clock (``core.sla``): first response, then resolution, or the department's
    own target once escalated (``target`` says which). Paused while the ticket waits on the
    customer; stopped when resolved. Its own narrow table: the sweep rewrites these rows, never the
    ticket's."""

    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.CASCADE, related_name="clock")
    target = models.CharField(max_length=16, choices=ClockTarget.choices, default=ClockTarget.FIRST_RESPONSE)

    class Meta:
        indexes = [
            *SlaClock.sweep_indexes("hd_clock", key="ticket"),
            # The console's queue: the running clocks (every active ticket's) in deadline order.
            models.Index(
                fields=["due_at", "ticket"], condition=Q(stopped_at__isnull=True), name="hd_clock_running_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Clock of ticket {self.ticket_id} ({self.target})"


class CustomerWait(SlaClock):
    """A ticket waiting on the customer: ``due_at`` is the next reminder; the sweep "escalates" it
    by reminding the customer (``reminders_sent`` + 1, the next one an interval later) and, after
    ``HELPDESK_CUSTOMER_REMINDERS`` reminders, closes the ticket with a note. Stopped when the
    customer answers or the ticket leaves ``pending_customer``."""

    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.CASCADE, related_name="wait")
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = SlaClock.sweep_indexes("hd_wait", key="ticket", warns=False)

    def __str__(self) -> str:
        return f"Wait on the customer of ticket {self.ticket_id}"


class FollowUp(SlaClock):
    """A follow-up reminder on a ticket: when ``due_at`` arrives the sweep notifies ``owner`` once
    (``escalated_at`` is when). Stopped (``stopped_at``) when the ticket is resolved or closed."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = SlaClock.sweep_indexes("hd_follow", warns=False)

    def __str__(self) -> str:
        return f"Follow-up on ticket {self.ticket_id} due {self.due_at:%Y-%m-%d %H:%M}"


class InteractionKind(models.TextChoices):
    MESSAGE = "message", "Message"
    CALL = "call", "Call note"
    NOTE = "note", "Internal note"
    ACTION = "action", "Action"


class Direction(models.TextChoices):
    INBOUND = "inbound", "From the customer"
    OUTBOUND = "outbound", "To the customer"
    INTERNAL = "internal", "Internal"


class Interaction(models.Model):
    """One entry of the interaction log (CRM): who, when, through which channel, what was said
    (``body``) and what changed (``data``, e.g. ``{"status": ["open", "escalated"]}``). Internal
    entries (``is_internal``: notes, staff-only actions) never reach the customer. ``customer`` is
    the ticket's, copied so that a customer's timeline reads one index."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="interactions")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=InteractionKind.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, blank=True, help_text="The action an ``action`` entry records")
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="hd_interaction_ticket_idx"),
            models.Index(fields=["customer", "-created_at", "-id"], name="hd_interaction_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="note") | Q(is_internal=True), name="hd_interaction_note_internal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on ticket {self.ticket_id}"


class Macro(models.Model):
    """A staff reply template for a category (blank: any), with the sellers' placeholders
    (``core.text.PLACEHOLDERS``)."""

    title = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=Category.choices, blank=True)
    body = models.TextField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "title", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from core.exceptions import InvalidInput
        from core.text import PLACEHOLDERS

        try:
            PLACEHOLDERS.check(self.body or "", field="body")
        except InvalidInput as error:
            raise ValidationError({"body": error.message}) from error


class Audience(models.TextChoices):
    BUYER = "buyer", "Buyers"
    SELLER = "seller", "Sellers"


class ArticleTopic(models.TextChoices):
    ORDERS = "orders", "Orders and delivery"
    INVOICES = "invoices", "Invoices"
    RECEIPTS = "receipts", "Receipts"
    PAYMENTS = "payments", "Payments and refunds"
    MESSAGES = "messages", "Messages and the 4-hour promise"
    REVIEWS = "reviews", "Reviews"
    ACCOUNT = "account", "Your account"


# The help centre topic whose articles a ticket of each category suggests first.
CATEGORY_TOPIC: dict[str, str] = {
    Category.ORDER_STATUS: ArticleTopic.ORDERS,
    Category.INVOICE: ArticleTopic.INVOICES,
    Category.RECEIPT: ArticleTopic.RECEIPTS,
    Category.PAYMENT: ArticleTopic.PAYMENTS,
    Category.OTHER: ArticleTopic.ACCOUNT,
}


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(models.Model):
    """A help centre article, written by staff in Markdown (rendered with raw HTML escaped)."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.BUYER)
    topic = models.CharField(max_length=12, choices=ArticleTopic.choices)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown. Raw HTML is shown as text, never run.")
    status = models.CharField(max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["audience", "topic", "title", "id"]
        indexes = [
            models.Index(
                fields=["audience", "topic", "title"], condition=Q(status="published"), name="hd_article_published_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="hd_article_published_has_time"
            )
        ]

    def __str__(self) -> str:
        return self.title


# The ticket category an article's topic answers (the inverse of ``CATEGORY_TOPIC``; the topics
# about messages and reviews answer no ticket category: their reads are not in the report).
TOPIC_CATEGORY: dict[str, str] = {topic: category for category, topic in CATEGORY_TOPIC.items()}


class ArticleRead(models.Model):
    """A signed-in user read a help centre article (its page), once per user, article and day
    (``article_read_record``: one ``INSERT ... ON CONFLICT DO NOTHING``). ``category`` is the
    ticket category the article's topic answers, copied at reading: the report counts the readers
    who did not open a ticket of that category within ``HELPDESK_ARTICLE_DEFLECTION_WINDOW``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reads")
    category = models.CharField(max_length=16, choices=Category.choices, blank=True)
    day = models.DateField()
    read_at = models.DateTimeField()

    class Meta:
        ordering = ["-read_at", "-id"]
        indexes = [models.Index(fields=["read_at", "category"], name="hd_article_read_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "article", "day"], name="hd_article_read_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} read by {self.user_id} on {self.day}"
