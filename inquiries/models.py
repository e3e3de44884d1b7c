"""Buyer-seller messaging and the 4-hour response clock.

A *conversation* holds messages. A buyer message that leaves the conversation waiting for the
seller opens an *inquiry*: the unit of the response KPI, kept as a row forever. The first seller
reply answers it (within target or not); a staff reply answers it as escalated; a seller may mark
it "no response needed" (excluded from the KPI, audited). The sweep warns and escalates inquiries
whose clock runs out, exactly once each.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery

from core.sla import SlaClock
from core.text import PLACEHOLDERS
from marketplace.models import Order, Product, Seller


class ConversationStatus(models.TextChoices):
    """What readers see. ``escalated`` is never stored: a conversation awaiting the seller whose
    open inquiry's clock has escalated *is* escalated (``Conversation.current_status``), so the
    sweep writes only the narrow clock row, not the conversation (see ``InquiryClock``)."""

    AWAITING_REPLY = "awaiting_reply", "Awaiting the seller's reply"
    ANSWERED = "answered", "Answered"
    ESCALATED = "escalated", "Escalated to support"
    CLOSED = "closed", "Closed"


CONVERSATION_TRANSITIONS: dict[str, set[str]] = {
    ConversationStatus.AWAITING_REPLY: {ConversationStatus.ANSWERED, ConversationStatus.CLOSED},
    ConversationStatus.ANSWERED: {ConversationStatus.AWAITING_REPLY, ConversationStatus.CLOSED},
    ConversationStatus.CLOSED: set(),
}


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def with_clock_state(self) -> "ConversationQuerySet":
        """Annotate what the clocks say (two correlated subqueries over the small partial index of
        escalated clocks): ``open_escalated_at`` (the open inquiry's escalation, if any) and
        ``first_escalated_at``. ``current_status`` and ``escalated_at`` read them."""
        escalated = InquiryClock.objects.filter(conversation_id=OuterRef("pk"), escalated_at__isnull=False).order_by()
        return self.annotate(
            open_escalated_at=Subquery(escalated.filter(stopped_at__isnull=True).values("escalated_at")[:1]),
            first_escalated_at=Subquery(escalated.order_by("escalated_at").values("escalated_at")[:1]),
        )


class Conversation(models.Model):
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="conversations")
    subject = models.CharField(max_length=200)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    # The stored status: awaiting_reply, answered or closed (``current_status`` adds "escalated").
    status = models.CharField(
        max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.AWAITING_REPLY, db_index=True
    )
    # Copied from the open inquiry (null when nothing is awaited) so lists sort and filter by due time.
    awaiting_since = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-last_message_at"], name="inq_conv_buyer_idx"),
            models.Index(fields=["seller", "status", "response_due_at"], name="inq_conv_seller_due_idx"),
            # The staff list's order (newest activity first): read in index order, the page's
            # clock-state subqueries run for its 20 rows, not for every conversation before a sort
            # (1.1 s at 1,000,000 conversations; 0.2 ms with the index).
            models.Index(fields=["-last_message_at", "-id"], name="inq_conv_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def _clock_state(self, name: str) -> datetime | None:
        """An annotation of ``with_clock_state``, or the same read for this one row."""
        if name not in self.__dict__:
            state = Conversation.objects.filter(pk=self.pk).with_clock_state().values(name).first()
            self.__dict__[name] = state[name] if state else None
        value: datetime | None = self.__dict__[name]
        return value

    @property
    def is_escalated(self) -> bool:
        """Awaiting the seller, and support has taken it over (the open inquiry escalated)."""
        return self.status == ConversationStatus.AWAITING_REPLY and self._clock_state("open_escalated_at") is not None

    @property
    def current_status(self) -> str:
        return ConversationStatus.ESCALATED if self.is_escalated else self.status

    @property
    def current_status_label(self) -> str:
        return str(ConversationStatus(self.current_status).label)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        for name in ("open_escalated_at", "first_escalated_at"):
            self.__dict__.pop(name, None)

    @property
    def escalated_at(self) -> datetime | None:
        """The first escalation to support, if any."""
        return self._clock_state("first_escalated_at")

    @property
    def is_awaiting_reply(self) -> bool:
        return self.status == ConversationStatus.AWAITING_REPLY


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
        return f"{self.get_kind_display()} message in conversation #{self.conversation_id}"


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
    "is_over_open_limit",
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
    response_due_at = models.DateTimeField()
    # The ledger's copy of the clock's warning and escalation, written when the inquiry stops
    # (answered, excluded, closed); while it is open they live on its ``InquiryClock`` only, which
    # is all the sweep writes. ``warning_at`` / ``escalation_at`` read whichever holds them.
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
    # Opened while the same buyer already had ``INQUIRIES_KPI_OPEN_PER_BUYER`` inquiries waiting at
    # this seller: it gets its clock and its answer like any other, but counts in no KPI figure, so
    # one buyer's flood cannot sink a seller's rate (inquiries.selectors.kpis, README "Response KPIs").
    is_over_open_limit = models.BooleanField(
        default=False,
        db_default=False,  # rows written in SQL (the benchmark's data set) are counted
        help_text="Opened while this buyer already had the limit of inquiries waiting at this seller: "
        "left out of the response KPIs.",
    )
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
        return f"Inquiry {self.pk} ({self.get_status_display().lower()})"

    def _clock_or_none(self) -> "InquiryClock | None":
        try:
            return self.clock
        except InquiryClock.DoesNotExist:
            return None

    @property
    def warning_at(self) -> datetime | None:
        """When the seller was warned: the clock's time while open, the ledger's once stopped."""
        clock = self._clock_or_none()
        return self.warned_at or (clock.warned_at if clock else None)

    @property
    def escalation_at(self) -> datetime | None:
        """When it was escalated to support, if it was."""
        clock = self._clock_or_none()
        return self.escalated_at or (clock.escalated_at if clock else None)


class InquiryClock(SlaClock):
    """The response clock of one inquiry (``core.sla``): warned at ``warn_at`` (3 h), escalated at
    ``due_at`` (4 h), stopped by the first answer, an exclusion or the buyer closing it. Once
    escalated the row is also the inquiry's place in the support queue (the ``Escalation`` proxy
    below: assignee, resolution), so escalating writes this one narrow row and nothing else per
    inquiry: the conversation's "escalated" state, its thread notice and its history line are read
    from here. Its key is the inquiry's, so an escalation's id is its inquiry's id."""

    inquiry = models.OneToOneField(Inquiry, primary_key=True, on_delete=models.CASCADE, related_name="clock")
    # Copied from the inquiry: the sweep's notices join the conversation without the inquiry, and
    # group the sellers' digests without reading a conversation row per inquiry.
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="clocks", db_index=False)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The support queue (set once escalated). No FK indexes: the queue is read by its own partial index.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_escalations",
        db_index=False,
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "inquiry_id"]
        indexes = [
            *SlaClock.sweep_indexes("inq_clock", key="inquiry"),
            # A conversation's escalations (its state, thread notices, history) and the open queue:
            # both hold only escalated clocks, so a running clock costs no entry in either.
            models.Index(
                fields=["conversation"], condition=Q(escalated_at__isnull=False), name="inq_clock_escalated_conv_idx"
            ),
            # The figures' "escalated" for an open inquiry (selectors.kpis.escalated_q): only the
            # clocks escalated and still running, a few thousand entries however long the history.
            models.Index(
                fields=["inquiry"],
                condition=Q(escalated_at__isnull=False, stopped_at__isnull=True),
                name="inq_clock_open_escalated_idx",
            ),
            models.Index(
                fields=["escalated_at", "inquiry"],
                condition=Q(escalated_at__isnull=False, resolved_at__isnull=True),
                name="inq_queue_open_idx",
            ),
        ]

    def __str__(self) -> str:
        state = "stopped" if self.stopped_at else "escalated" if self.escalated_at else "running"
        return f"Clock of inquiry {self.inquiry_id} ({state})"

    @property
    def conversation_status(self) -> str:
        """The conversation's ``current_status`` (the support queue's lists annotate
        ``conversation_open_escalated_at`` so that this costs no query per row)."""
        conversation = self.conversation
        if "conversation_open_escalated_at" in self.__dict__:
            conversation.__dict__["open_escalated_at"] = self.__dict__["conversation_open_escalated_at"]
        return conversation.current_status


class EscalationManager(models.Manager["Escalation"]):
    def get_queryset(self) -> models.QuerySet["Escalation"]:
        # ``id``: the queue's id (API, console, filters, ordering) is its clock's key, the inquiry's.
        return super().get_queryset().filter(escalated_at__isnull=False).annotate(id=models.F("inquiry_id"))


class Escalation(InquiryClock):
    """An inquiry in the support queue: its clock, once escalated (exactly once: the sweep's
    conditional ``UPDATE ... WHERE escalated_at IS NULL``). Resolved by a staff or seller reply, an
    exclusion or the conversation's close, which stop the clock."""

    objects = EscalationManager()  # type: ignore[misc]  # the queue's manager: escalated clocks only

    class Meta:
        proxy = True
        ordering = ["escalated_at", "inquiry_id"]

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

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in conversation #{self.conversation_id}"


class ReplyTemplate(models.Model):
    """A quick reply. ``seller`` null: a platform starter template every seller can use."""

    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.CASCADE, related_name="reply_templates")
    title = models.CharField(max_length=120)
    body = models.TextField(help_text=f"Placeholders: {PLACEHOLDERS.listed}")
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
        return f"{self.seller} {self.period}: {StandingLevel(self.effective_level).label}"

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
