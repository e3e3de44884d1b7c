"""Reviews of products, the sellers' and staff's responses, response templates, moderation, the
response clock, recovery follow-ups and review cases.

Nothing here is ever deleted: a review is hidden or removed (with a reason code and a note) and can
be restored; a response is hidden by a moderator; a template is archived. Every change writes an
event row (``ReviewEvent``, ``ReviewCaseEvent``) saying who, when, what and why.

Ratings per product and per seller are kept in ``ProductRating`` / ``SellerRating``: running
counters (count, sum, count per star) changed in the same transaction as the review, with one
conditional ``UPDATE ... SET count = count + 1`` per row (the row lock that UPDATE takes
serialises concurrent writers). Reading a product's or a seller's rating is one primary-key
lookup however many reviews it has (1,000,000 or more), which a ``COUNT``/``AVG`` over the
reviews is not. ``reviews.services.ratings.ratings_recompute`` rebuilds them from the reviews
(repair, and what the tests compare the counters with).
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.sla import SlaClock
from core.text import PLACEHOLDERS
from marketplace.models import Currency, Order, Product, Seller, money_field


class ReviewStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden by a moderator"
    REMOVED = "removed", "Removed"


REVIEW_TRANSITIONS: dict[str, set[str]] = {
    ReviewStatus.PUBLISHED: {ReviewStatus.HIDDEN, ReviewStatus.REMOVED},
    ReviewStatus.HIDDEN: {ReviewStatus.PUBLISHED, ReviewStatus.REMOVED},
    ReviewStatus.REMOVED: {ReviewStatus.PUBLISHED},
}


class ModerationReason(models.TextChoices):
    FAKE = "fake", "Fake or incentivised"
    MISLEADING = "misleading", "Misleading"
    PRIVATE_INFORMATION = "private_information", "Contains private information"
    PROFANITY = "profanity", "Profanity or abuse"
    UNRELATED = "unrelated", "Not about this product"
    OTHER = "other", "Other"


class Review(models.Model):
    """A buyer's review of a product: one per buyer and product, whatever its status (a buyer whose
    review was removed by mistake opens a review case rather than writing a second one)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reviews")
    # Copied from the product (and moved with it on reassignment) so a seller's reviews, ratings and
    # metrics are read without a join.
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="reviews")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews")
    verified_purchase = models.BooleanField(
        default=False, help_text="The order is the buyer's and contains the product"
    )
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PUBLISHED)
    moderation_reason = models.CharField(max_length=20, choices=ModerationReason.choices, blank=True)
    moderation_note = models.TextField(blank=True, help_text="Staff only")
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # Due 24 h (negative) or 48 h after the review; a negative one still unanswered 48 h after it
    # is escalated to senior support once: that clock is ``ResponseClock`` (``escalate_at``,
    # ``escalated_at`` below read it).
    response_due_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["product", "status", "-created_at"], name="rev_product_status_idx"),
            models.Index(fields=["seller", "created_at"], name="rev_seller_created_idx"),
            models.Index(fields=["created_at"], name="rev_created_idx"),
            # A buyer's reviews newest first (their console timeline, their own reviews page): the
            # newest page straight from the index, not a walk down every review's date looking for theirs.
            models.Index(fields=["buyer", "-created_at", "-id"], name="rev_buyer_created_idx"),
            # The seller's "needs a response" queue (reviews.selectors.needs_response): only the
            # unanswered published reviews, with the rating, so a page is chosen by an index-only
            # scan however many reviews the seller has had.
            models.Index(
                fields=["seller", "response_due_at", "id"],
                include=["rating"],
                condition=Q(status="published", first_response_at__isnull=True),
                name="rev_seller_needs_response_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "product"], name="rev_one_review_per_buyer_product"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="rev_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.title}"

    @property
    def is_negative(self) -> bool:
        return self.rating <= settings.REVIEWS_NEGATIVE_MAX_RATING

    def _clock(self) -> "ResponseClock | None":
        """The escalation clock (negative reviews only); list queries ``select_related("clock")``."""
        try:
            return self.clock
        except ResponseClock.DoesNotExist:
            return None

    @property
    def escalate_at(self) -> datetime | None:
        clock = self._clock()
        return clock.due_at if clock else None

    @property
    def escalated_at(self) -> datetime | None:
        clock = self._clock()
        return clock.escalated_at if clock else None


class ResponseClock(SlaClock):
    """The escalation clock of a negative review (``core.sla``), in a table of its own: escalated
    once when still unanswered at ``due_at`` (48 h after the review) by the reviews sweep; no
    warning (``warn_at`` null).

    Narrow on purpose. Escalating a batch rewrites these rows, not the reviews: an ``UPDATE`` of
    the wide, heavily indexed review row could never be a HOT update, so each escalated review cost
    a new entry in every one of the review table's twelve indexes; here it is the primary key's.
    The escalation is also read from here (the review's history, the console, the seller's queue):
    the sweep writes no event row. ``stopped_at`` mirrors ``Review.first_response_at`` (kept by
    ``responses._refresh_first_response`` under the review's lock: a hidden only response restarts
    it) so that the due index holds only the clocks still running."""

    review = models.OneToOneField(Review, primary_key=True, on_delete=models.CASCADE, related_name="clock")

    class Meta:
        indexes = SlaClock.sweep_indexes("rev_clock", key="review", warns=False)

    def __str__(self) -> str:
        state = "escalated" if self.escalated_at else "answered" if self.stopped_at else "running"
        return f"Clock of review {self.review_id} ({state})"


class RatingCounters(models.Model):
    """Published reviews only: ``count``, ``total`` (sum of ratings) and one counter per star."""

    count = models.PositiveIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def average(self) -> float | None:
        return round(self.total / self.count, 2) if self.count else None


class ProductRating(RatingCounters):
    product = models.OneToOneField(Product, on_delete=models.CASCADE, primary_key=True, related_name="rating")

    def __str__(self) -> str:
        return f"{self.product_id}: {self.count} reviews"


class SellerRating(RatingCounters):
    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, primary_key=True, related_name="rating")

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.count} reviews"


class TemplateSituation(models.TextChoices):
    POSITIVE = "positive", "Positive review"
    LATE_DELIVERY = "late_delivery", "Negative: late delivery"
    DEFECT = "defect", "Negative: product defect"
    WRONG_ITEM = "wrong_item", "Negative: wrong item"
    SERVICE_COMPLAINT = "service_complaint", "Negative: customer service complaint"
    MISSING_REVIEW = "missing_review", "Missing or misattributed review"


class ResponseTemplate(models.Model):
    """A review response template. ``seller`` null: a platform template (staff manage them)."""

    seller = models.ForeignKey(
        Seller, null=True, blank=True, on_delete=models.CASCADE, related_name="response_templates"
    )
    situation = models.CharField(max_length=20, choices=TemplateSituation.choices)
    title = models.CharField(max_length=120)
    body = models.TextField(help_text=f"Placeholders: {PLACEHOLDERS.listed}")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True, help_text="Archived templates are kept, not offered")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["situation", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "title"], condition=Q(archived_at__isnull=True), name="rev_template_title_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ResponseStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING_MODERATION = "pending_moderation", "Waiting for a moderator"
    EDIT_REQUESTED = "edit_requested", "Edit requested by a moderator"
    HIDDEN = "hidden", "Hidden by a moderator"


RESPONSE_TRANSITIONS: dict[str, set[str]] = {
    ResponseStatus.PENDING_MODERATION: {
        ResponseStatus.PUBLISHED,
        ResponseStatus.EDIT_REQUESTED,
        ResponseStatus.HIDDEN,
    },
    ResponseStatus.PUBLISHED: {ResponseStatus.EDIT_REQUESTED, ResponseStatus.HIDDEN},
    ResponseStatus.EDIT_REQUESTED: set(),  # the seller writes a new response
    ResponseStatus.HIDDEN: set(),
}
LIVE_RESPONSE_STATUSES = (ResponseStatus.PUBLISHED, ResponseStatus.PENDING_MODERATION)


class Violation(models.TextChoices):
    """What the standards check looks for in a seller's response (``reviews.services.standards``)."""

    INSULT = "insult", "Insulting language"
    BLAMING = "blaming", "Blames the customer"
    SHOUTING = "shouting", "Shouting (capitals or !!!)"
    CONTACT_DETAILS = "contact_details", "Contact details (email or phone)"
    EXTERNAL_LINK = "external_link", "Link off the platform"


class AuthorKind(models.TextChoices):
    SELLER = "seller", "Seller"
    STAFF = "staff", "Support staff"


class ReviewResponse(models.Model):
    """A public answer to a review. A seller's is checked against the standards first: a flagged
    one waits for a moderator (``pending_moderation``) and is not shown to the buyer until approved.
    One live (published or pending) response per review and author kind."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="responses")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        ResponseTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    body = models.TextField()
    status = models.CharField(max_length=20, choices=ResponseStatus.choices)
    flagged = models.BooleanField(default=False)
    flag_reasons = models.JSONField(default=list, blank=True, help_text="Violation codes found by the check")
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="rev_response_status_idx"),
            models.Index(fields=["seller", "created_at"], name="rev_response_seller_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "author_kind"],
                condition=Q(status__in=["published", "pending_moderation"]),
                name="rev_one_live_response_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to review {self.review_id} ({self.get_status_display().lower()})"


class SellerStrike(models.Model):
    """One upheld violation in a seller's response: a moderator hid it or asked for an edit."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="review_strikes")
    response = models.ForeignKey(ReviewResponse, on_delete=models.PROTECT, related_name="strikes")
    violation = models.CharField(max_length=20, choices=Violation.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["seller", "created_at"], name="rev_strike_seller_idx")]
        constraints = [
            models.UniqueConstraint(fields=["response", "violation"], name="rev_strike_once_per_violation"),
        ]

    def __str__(self) -> str:
        return f"Strike on store {self.seller_id}: {self.get_violation_display().lower()}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved (customer confirmed)"
    ESCALATED = "escalated", "Escalated to senior support"


class RecoveryFollowUp(models.Model):
    """Opened with every negative review: has the customer's issue been put right? The customer
    answers after a response; left open past ``due_at`` it is escalated once."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="follow_up")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    due_at = models.DateTimeField()
    customer_comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(status="open", escalated_at__isnull=True), name="rev_followup_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up of review {self.review_id} ({self.get_status_display().lower()})"


class ReviewEvent(models.Model):
    """Append-only audit of a review and its responses: who did what, when, why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Written"
        HIDDEN = "hidden", "Hidden"
        REMOVED = "removed", "Removed"
        RESTORED = "restored", "Restored"
        REASSIGNED = "reassigned", "Moved to another product"
        LOW_RATING_ALERTED = "low_rating_alerted", "Low-rating alert sent"
        RESPONDED = "responded", "Response posted"
        RESPONSE_FLAGGED = "response_flagged", "Response flagged by the standards check"
        RESPONSE_APPROVED = "response_approved", "Response approved"
        RESPONSE_EDIT_REQUESTED = "response_edit_requested", "Edit requested"
        RESPONSE_HIDDEN = "response_hidden", "Response hidden"
        ESCALATED = "escalated", "Escalated (unanswered)"
        FOLLOW_UP_RESOLVED = "follow_up_resolved", "Customer: resolved"
        FOLLOW_UP_UNRESOLVED = "follow_up_unresolved", "Customer: not resolved"
        FOLLOW_UP_ESCALATED = "follow_up_escalated", "Follow-up escalated"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    # Most events have no response and the sweep's none has an actor: their indexes hold only the
    # rows that have one (partial, below), so a catch-up of 10,000 escalations writes two index
    # entries fewer per row.
    response = models.ForeignKey(
        ReviewResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["response"], condition=Q(response__isnull=False), name="rev_event_response_idx"),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="rev_event_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: review {self.review_id}"


class CaseKind(models.TextChoices):
    MISSING_REVIEW = "missing_review", "My review is missing"
    WRONG_PRODUCT = "wrong_product", "My review is on the wrong product"
    INCORRECT_CONTENT = "incorrect_content", "My review's content is incorrect"


# What a case is about, for staff reading a case's name ("Case 4: incorrect content (open)"); the
# kinds' labels are worded for the customer who reports ("My review is missing").
CASE_KIND_SHORT: dict[str, str] = {
    CaseKind.MISSING_REVIEW: "missing review",
    CaseKind.WRONG_PRODUCT: "review on the wrong product",
    CaseKind.INCORRECT_CONTENT: "incorrect content",
}


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ReviewCase(models.Model):
    """A customer's report about a review: missing, on the wrong product, or incorrect."""

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_cases")
    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    description = models.TextField()
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    resolution = models.TextField(blank=True)
    compensation_amount = money_field(null=True, blank=True, default=None)
    compensation_currency = models.CharField(max_length=3, choices=Currency.choices, blank=True)
    coupon_code = models.CharField(max_length=64, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="open"), name="rev_case_open_idx"),
            models.Index(fields=["buyer", "-created_at"], name="rev_case_buyer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation_amount__isnull=True) | Q(compensation_amount__gt=0),
                name="rev_case_compensation_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {CASE_KIND_SHORT.get(self.kind, self.kind)} ({self.get_status_display().lower()})"


class ReviewCaseEvent(models.Model):
    """Append-only audit of a case: who, when, what (``data``) and why (``note``)."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        REASSIGNED = "reassigned", "Review moved to another product"
        RESTORED = "restored", "Review restored"
        REVIEW_REMOVED = "review_removed", "Review removed"
        RESOLVED = "resolved", "Resolved"

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: case {self.case_id}"
