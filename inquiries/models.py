"""Buyer-seller messaging and the 4-hour response clock.

A *conversation* holds messages. A buyer message that leaves the conversation waiting for the
seller opens an *inquiry*: the unit of the response KPI, kept as a row forever. The first seller
reply answers it (within target or not); a staff reply answers it as escalated; a seller may mark
it "no response needed" (excluded from the KPI, audited). The sweep warns and escalates inquiries
whose clock runs out, exactly once each.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketplace.models import Order, Product, Seller


class ConversationStatus(models.TextChoices):
    AWAITING_REPLY = "awaiting_reply", "Awaiting the seller's reply"
    ANSWERED = "answered", "Answered"
    ESCALATED = "escalated", "Escalated to support"
    CLOSED = "closed", "Closed"


CONVERSATION_TRANSITIONS: dict[str, set[str]] = {
    ConversationStatus.AWAITING_REPLY: {
        ConversationStatus.ANSWERED,
        ConversationStatus.ESCALATED,
        ConversationStatus.CLOSED,
    },
    ConversationStatus.ANSWERED: {ConversationStatus.AWAITING_REPLY, ConversationStatus.CLOSED},
    ConversationStatus.ESCALATED: {
        ConversationStatus.ANSWERED,
        ConversationStatus.AWAITING_REPLY,
        ConversationStatus.CLOSED,
    },
    ConversationStatus.CLOSED: set(),
}


class Conversation(models.Model):
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="conversations")
    subject = models.CharField(max_length=200)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    status = models.CharField(
        max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.AWAITING_REPLY, db_index=True
    )
    # Copied from the open inquiry (null when nothing is awaited) so lists sort and filter by due time.
    awaiting_since = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-last_message_at"], name="inq_conv_buyer_idx"),
            models.Index(fields=["seller", "status", "response_due_at"], name="inq_conv_seller_due_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class MessageKind(models.TextChoices):
    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    STAFF = "staff", "Support staff"
    AUTO_ACK = "auto_ack", "Automatic acknowledgment"
    SYSTEM = "system", "System notice"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    template = models.ForeignKey(
        "ReplyTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The quick reply this message started from, if any",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="inq_message_conv_idx")]

    def __str__(self) -> str:
        return f"{self.kind} message in #{self.conversation_id}"


class InquiryStatus(models.TextChoices):
    OPEN = "open", "Open (awaiting the seller)"
    ANSWERED = "answered", "Answered by the seller"
    ANSWERED_BY_STAFF = "answered_by_staff", "Answered by support"
    EXCLUDED = "excluded", "No response needed"
    CLOSED = "closed", "Closed by the buyer before an answer"


# What the response KPIs read of an inquiry besides its seller and opening time (see Inquiry.Meta).
FIGURE_COLUMNS = [
    "id",
    "status",
    "response_due_at",
    "closed_at",
    "is_within_target",
    "escalated_at",
    "first_response_seconds",
]


class Inquiry(models.Model):
    """One wait for the seller: opened by a buyer message, closed by the first answer. The KPI rows."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="inquiries")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="inquiries")
    opening_message = models.OneToOneField(Message, on_delete=models.PROTECT, related_name="opened_inquiry")
    status = models.CharField(max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.OPEN)
    awaiting_since = models.DateTimeField()
    warn_at = models.DateTimeField()
    response_due_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answering_message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="answered_inquiry"
    )
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    is_within_target = models.BooleanField(null=True, blank=True)
    excluded_at = models.DateTimeField(null=True, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exclusion_reason = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-awaiting_since", "-id"]
        verbose_name_plural = "inquiries"
        indexes = [
            # The sweep's two scans: only open rows not yet warned / escalated are indexed.
            models.Index(
                fields=["response_due_at"],
                condition=Q(status="open", escalated_at__isnull=True),
                name="inq_open_unescalated_due_idx",
            ),
            # Escalated rows leave it too: an inquiry escalated without a warning (after an outage)
            # stays open until answered and would otherwise be re-read by every warning scan.
            models.Index(
                fields=["warn_at"],
                condition=Q(status="open", warned_at__isnull=True, escalated_at__isnull=True),
                name="inq_open_unwarned_due_idx",
            ),
            models.Index(fields=["awaiting_since"], name="inq_opened_idx"),
            # The response KPIs (inquiries/selectors/kpis.py) read only these indexes (index-only
            # scans): a seller's inquiries by opening time; the platform's finished ones by opening
            # time and open ones by due time, so that the open inquiries not yet due (which count in
            # no figure, and can be most of the current month) are never read. ``id`` is included
            # for a condition that looks up another table by it (``Exists``).
            models.Index(fields=["seller", "awaiting_since"], include=FIGURE_COLUMNS, name="inq_seller_figures_idx"),
            models.Index(
                fields=["awaiting_since"],
                include=["seller", *FIGURE_COLUMNS],
                condition=~Q(status="open"),
                name="inq_finished_figures_idx",
            ),
            models.Index(
                fields=["response_due_at"],
                include=["awaiting_since", "seller", *(name for name in FIGURE_COLUMNS if name != "response_due_at")],
                condition=Q(status="open"),
                name="inq_open_figures_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"], condition=Q(status="open"), name="inq_one_open_inquiry_per_conversation"
            ),
        ]

    def __str__(self) -> str:
        return f"Inquiry {self.pk} ({self.status})"


class Escalation(models.Model):
    """An inquiry in the support queue. One per inquiry, enforced by the database, so two sweeps
    running at once can never escalate it twice."""

    inquiry = models.OneToOneField(Inquiry, on_delete=models.PROTECT, related_name="escalation")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="escalations")
    escalated_at = models.DateTimeField(db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_escalations"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["escalated_at", "id"]
        indexes = [
            models.Index(fields=["escalated_at"], condition=Q(resolved_at__isnull=True), name="inq_escalation_open_idx")
        ]

    def __str__(self) -> str:
        return f"Escalation of #{self.conversation_id}"


class ConversationEvent(models.Model):
    """Append-only audit of the conversation: who did what, when, why."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        INQUIRY_OPENED = "inquiry_opened", "Inquiry opened"
        ANSWERED = "answered", "Inquiry answered"
        WARNED = "warned", "Deadline warning sent"
        ESCALATED = "escalated", "Escalated"
        EXCLUDED = "excluded", "Marked no response needed"
        ASSIGNED = "assigned", "Escalation assigned"
        RESOLVED = "resolved", "Escalation resolved"
        CLOSED = "closed", "Closed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    inquiry = models.ForeignKey(Inquiry, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # The sweep's exactly-once, backed by the database: one warning and one escalation per inquiry.
            models.UniqueConstraint(
                fields=["inquiry", "kind"],
                condition=Q(kind__in=["warned", "escalated"]),
                name="inq_event_once_per_inquiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.conversation_id}"


class ReplyTemplate(models.Model):
    """A quick reply. ``seller`` null: a platform starter template every seller can use."""

    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.CASCADE, related_name="reply_templates")
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="Placeholders: {buyer_name}, {product}, {order_number}, {seller_name}")
    keywords = models.CharField(max_length=300, blank=True, help_text="Extra words that suggest this reply")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["seller_id", "title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "title"], name="inq_template_title_unique_per_seller"),
        ]

    def __str__(self) -> str:
        return self.title


class StandingLevel(models.TextChoices):
    RESPONSIVE = "responsive", "Responsive seller (badge)"
    GOOD = "good", "Good standing"
    WARNING = "warning", "Warning"
    PENALTY = "penalty", "Penalty (reduced visibility)"
    NOT_RATED = "not_rated", "Not rated (no inquiries)"


class SellerStanding(models.Model):
    """The decision for one seller and one quarter, kept with the figures it was made on."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="standings")
    period = models.CharField(max_length=7, help_text="Quarter, e.g. 2026-Q4")
    level = models.CharField(max_length=12, choices=StandingLevel.choices)
    inquiries = models.PositiveIntegerField()
    answered_within_target = models.PositiveIntegerField()
    within_target_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    tips = models.TextField(blank=True)
    decided_at = models.DateTimeField()
    overridden_level = models.CharField(max_length=12, choices=StandingLevel.choices, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "seller_id"]
        constraints = [models.UniqueConstraint(fields=["seller", "period"], name="inq_standing_once_per_quarter")]

    def __str__(self) -> str:
        return f"{self.seller} {self.period}: {self.effective_level}"

    @property
    def effective_level(self) -> str:
        return self.overridden_level or self.level


class ExclusionFlag(models.Model):
    """A seller excluded an unusual share of a month's inquiries from the KPI: raised once per
    seller and month for the moderators, with the figures."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="exclusion_flags")
    month = models.CharField(max_length=7, help_text="e.g. 2026-11")
    inquiries = models.PositiveIntegerField()
    excluded = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["seller", "month"], name="inq_exclusion_flag_once_per_month")]

    def __str__(self) -> str:
        return f"{self.seller} excluded {self.excluded}/{self.inquiries} in {self.month}"
