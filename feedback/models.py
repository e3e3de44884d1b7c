"""Feedback and CSAT: survey invitations after a resolved interaction, the customers' answers,
the feedback log from every page, the keyword rules that categorise both, and the action plans
staff record against a category.

``feedback`` is a service the workflow apps call ("survey this interaction"): an invitation copies
what it is about (type, id, label) and the seller, agent, channel and categories at that moment,
so this app never imports the apps that use it. A response copies the same facts again, so every
report reads one table without a join (``feedback.selectors``).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from marketplace.models import Order, Seller


class InteractionType(models.TextChoices):
    TICKET = "ticket", "Help desk ticket"
    CONVERSATION = "conversation", "Buyer-seller conversation"
    REVIEW_CASE = "review_case", "Review case"
    RECOVERY = "recovery", "Recovery follow-up"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"
    MESSAGING = "messaging", "Messaging"
    REVIEWS = "reviews", "Reviews"


class Category(models.TextChoices):
    """The marketplace's six problem categories (seeds: the feedback log)."""

    TECHNICAL = "technical", "Technical"
    PRODUCT = "product", "Product"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    PLATFORM_FEATURES = "platform_features", "Platform features"
    PAYMENT_BILLING = "payment_billing", "Payment and billing"
    SHIPPING_DELIVERY = "shipping_delivery", "Shipping and delivery"


class CategorySource(models.TextChoices):
    USER = "user", "Chosen by the customer"
    RULE = "rule", "Keyword rule"
    STAFF = "staff", "Set by staff"
    NONE = "none", "Not categorised"


class Interface(models.TextChoices):
    PRODUCT_PAGE = "product_page", "Product page"
    CHECKOUT = "checkout", "Checkout"
    MESSAGING = "messaging", "Messaging"
    SUPPORT = "support", "Support"
    REVIEWS = "reviews", "Reviews"
    SELLER_DASHBOARD = "seller_dashboard", "Seller dashboard"


class EntryKind(models.TextChoices):
    FEEDBACK = "feedback", "Feedback"
    FEATURE_REQUEST = "feature_request", "Feature request"


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"  # waiting for ``send_after``
    SENT = "sent", "Sent"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"  # the interaction reopened before the invitation went out


RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class SurveyInvitation(models.Model):
    """One per interaction (``about_type`` + ``about_id``). ``token`` is the random key of the link
    (``secrets.token_urlsafe``); it expires at ``expires_at`` and is spent by the answer."""

    token = models.CharField(max_length=64)  # unique: ``fb_inv_token_unique`` (no LIKE index beside it)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.SCHEDULED)
    about_type = models.CharField(max_length=16, choices=InteractionType.choices)
    about_id = models.PositiveBigIntegerField()
    about_label = models.CharField(max_length=200, help_text="What the survey is about, as the customer reads it")
    about_url = models.CharField(max_length=300, blank=True, help_text="The customer's page of the interaction")
    # ``customer`` is indexed by ``fb_inv_customer_idx`` (its leading column); ``agent`` and ``order``
    # are not indexed: the reports read ``SurveyResponse``, and sending an invitation rewrites every
    # index of its row (a non-HOT update), so each index here costs the sweep (bench/README.md).
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations", db_index=False
    )
    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    topic = models.CharField(max_length=40, blank=True, help_text="The interaction's own category, e.g. invoice")
    resolved_at = models.DateTimeField(help_text="When the interaction was resolved")
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Opened to resolved")
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Set when sent")
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["send_after"], condition=Q(status="scheduled"), name="fb_inv_due_idx"),
            models.Index(
                fields=["sent_at"], condition=Q(status="sent", reminded_at__isnull=True), name="fb_inv_remind_idx"
            ),
            models.Index(fields=["customer", "status"], name="fb_inv_customer_idx"),
            models.Index(fields=["sent_at"], name="fb_inv_sent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="fb_inv_token_unique"),
            models.UniqueConstraint(fields=["about_type", "about_id"], name="fb_inv_one_per_interaction"),
            models.CheckConstraint(
                condition=Q(status="scheduled") | Q(status="withdrawn") | Q(sent_at__isnull=False),
                name="fb_inv_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Survey about {self.about_label} ({self.get_status_display().lower()})"


class SurveyResponse(models.Model):
    """The customer's answer. The invitation's facts are copied (seller, agent, channel, category,
    type, resolution time) so the CSAT reports aggregate this one table; ``satisfied`` is
    ``overall >= 4`` (DESIGN: satisfied = 4 or 5), stored so an index can cover it."""

    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.CASCADE, related_name="response")
    overall = models.PositiveSmallIntegerField(validators=RATING_VALIDATORS)
    satisfied = models.BooleanField()
    ease = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING_VALIDATORS)
    clear_solution = models.BooleanField(null=True, blank=True)
    response_time_ok = models.BooleanField(null=True, blank=True)
    issues = models.TextField(blank=True, help_text="What went wrong")
    suggestions = models.TextField(blank=True, help_text="What could be improved")
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    category_source = models.CharField(max_length=5, choices=CategorySource.choices, default=CategorySource.NONE)
    is_feature_request = models.BooleanField(default=False)
    interaction_type = models.CharField(max_length=16, choices=InteractionType.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Covering: every CSAT breakdown of a period (feedback.selectors.reports) is an index-only
            # scan of the period's range, whatever the dimension (bench/bench_feedback_reports.py).
            models.Index(
                fields=["created_at"],
                include=["satisfied", "category", "channel", "interaction_type", "seller", "agent"],
                name="fb_resp_csat_idx",
            ),
            models.Index(fields=["seller", "created_at"], name="fb_resp_seller_idx"),
            models.Index(fields=["category", "created_at"], name="fb_resp_category_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(overall__gte=1, overall__lte=5), name="fb_resp_overall_1_5"),
            models.CheckConstraint(
                condition=Q(ease__isnull=True) | Q(ease__gte=1, ease__lte=5), name="fb_resp_ease_1_5"
            ),
            models.CheckConstraint(
                condition=Q(satisfied=True, overall__gte=4) | Q(satisfied=False, overall__lte=3),
                name="fb_resp_satisfied_is_4_or_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.overall}/5 on {self.invitation_id}"


class FeedbackEntry(models.Model):
    """The "Feedback" control on every buyer and seller page (and ``POST /api/v1/feedback/``)."""

    interface = models.CharField(max_length=20, choices=Interface.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback_entries"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING_VALIDATORS)
    body = models.TextField()
    page = models.CharField(max_length=300, blank=True, help_text="The page's path the feedback was sent from")
    kind = models.CharField(max_length=16, choices=EntryKind.choices, default=EntryKind.FEEDBACK)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    category_source = models.CharField(max_length=5, choices=CategorySource.choices, default=CategorySource.NONE)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback entries"
        indexes = [
            models.Index(fields=["created_at"], name="fb_entry_created_idx"),
            models.Index(fields=["category", "created_at"], name="fb_entry_category_idx"),
            models.Index(fields=["created_at"], condition=Q(kind="feature_request"), name="fb_entry_feature_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="fb_entry_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_interface_display()}: {self.body[:40]}"


class CategoryRule(models.Model):
    """A keyword rule staff edit in the console: text containing ``keyword`` (a word or phrase,
    case-insensitive) gets ``category``, or is marked a feature request. Lower ``position`` wins."""

    keyword = models.CharField(max_length=80)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    marks_feature_request = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["keyword"], name="fb_rule_keyword_unique"),
            models.CheckConstraint(
                condition=~Q(category="") | Q(marks_feature_request=True), name="fb_rule_does_something"
            ),
        ]

    def __str__(self) -> str:
        return f"“{self.keyword}” → {self.get_category_display() or 'feature request'}"


class Recategorisation(models.Model):
    """Audit of a staff change of category (or feature-request mark) on a response or an entry."""

    response = models.ForeignKey(
        SurveyResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="recategorisations"
    )
    entry = models.ForeignKey(
        FeedbackEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="recategorisations"
    )
    from_category = models.CharField(max_length=20, blank=True)
    to_category = models.CharField(max_length=20, blank=True)
    from_feature_request = models.BooleanField(default=False)
    to_feature_request = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response__isnull=False, entry__isnull=True) | Q(response__isnull=True, entry__isnull=False),
                name="fb_recat_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_category or '-'} → {self.to_category or '-'} by {self.actor}"


class CategoryOwner(models.Model):
    """Who is told when a category falls below the target or rises sharply."""

    category = models.CharField(max_length=20, choices=Category.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "user"], name="fb_owner_unique")]

    def __str__(self) -> str:
        return f"{self.user} owns {self.get_category_display()}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionPlan(models.Model):
    """An action staff take against a category (optionally one issue, by keyword). The report sets
    the category's CSAT and issue frequency before ``effective_on`` beside those after it."""

    category = models.CharField(max_length=20, choices=Category.choices)
    keyword = models.CharField(
        max_length=80, blank=True, help_text="The recurring issue, if narrower than the category"
    )
    title = models.CharField(max_length=200)
    what_changes = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    effective_on = models.DateField(help_text="The day the change took effect: before / after is split here")
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly report"
    QUARTERLY = "quarterly", "Quarterly report"
    BELOW_TARGET = "below_target", "Category below target"
    RISING = "rising", "Category rising sharply"


class ReportDispatch(models.Model):
    """What the report sweep has sent: one row per (kind, period, category), so a second sweep,
    or two at once, sends nothing twice."""

    kind = models.CharField(max_length=12, choices=ReportKind.choices)
    period = models.CharField(max_length=10, help_text="2026-11 or 2026-Q4")
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period", "category"], name="fb_dispatch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} {self.category}".strip()
