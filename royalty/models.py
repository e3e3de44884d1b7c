"""Royalty: affiliates (partners, sales teams, sellers), the sales attributed to them, the rules
that pay them (versioned rule sets with commission rates and performance tiers, edited by finance
as data), and the per-period statements whose append-only lines explain every amount.

A statement's ``total`` is the sum of its lines, recomputed in the transaction that adds one
(``royalty.services``). Lines are never updated or deleted: the services only insert, the model
refuses ``save()`` of an existing line and ``delete()``, and on PostgreSQL a trigger (migration
0002) refuses UPDATE and DELETE and an INSERT into a statement that is no longer a draft.

Money is ``Decimal``; every line is rounded once, half-up, to the currency's minor unit
(``core.money.round_money``: every ``marketplace.models.Currency`` has two decimal places).
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from marketplace.models import Currency, Order, Product, Refund, Seller, money_field


class AffiliateKind(models.TextChoices):
    PARTNER = "partner", "Partner"
    SALES_TEAM = "sales_team", "Sales team"
    SELLER = "seller", "Seller"


class Affiliate(models.Model):
    """Someone paid for the sales attributed to them. A ``seller`` affiliate is a store (one
    affiliate per store); ``user`` (optional) is who signs in to see the statements. Statements
    are paid in ``currency``: only orders in that currency can be attributed."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=AffiliateKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="affiliates"
    )
    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.PROTECT, related_name="affiliates")
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller"], condition=Q(seller__isnull=False), name="roy_affiliate_one_per_seller"
            ),
            # A seller affiliate names its store; the others name none.
            models.CheckConstraint(
                condition=(Q(kind="seller") & Q(seller__isnull=False)) | (~Q(kind="seller") & Q(seller__isnull=True)),
                name="roy_affiliate_seller_iff_kind_seller",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Attribution(models.Model):
    """One attributed sale: one affiliate per order. ``amount`` and ``currency`` are copied from the
    order; ``product`` is its main product (for per-product rates and the promoted products'
    rating); ``category`` is the product category a category rate matches (marketplace products
    carry none, so it is given when the sale is attributed).

    Which statement pays a sale is not written on the sale (a million rows rewritten each month);
    it follows from the statements' coverage (``Statement.covered_through``): see ``Statement``."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="attributions")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="attribution")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=60, blank=True)
    amount = money_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    sold_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-sold_at", "-id"]
        indexes = [
            models.Index(fields=["affiliate", "-sold_at"], name="roy_attr_affiliate_idx"),
            models.Index(fields=["sold_at"], name="roy_attr_sold_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="roy_attr_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"Order {self.order_id} for {self.affiliate_id}"


class RuleSet(models.Model):
    """A version of the rules. The set in force in a period is the one whose validity covers the
    period's start (``valid_from <= start < valid_to``; the latest ``valid_from`` if several do)."""

    name = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Exclusive; empty: open-ended")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="roy_ruleset_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Basis(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage of the sale"
    FLAT = "flat", "Flat amount per sale"


class CommissionRate(models.Model):
    """The base commission of a sale for one affiliate kind: a product rate wins over a category
    rate, which wins over the kind's default (neither product nor category)."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rates")
    affiliate_kind = models.CharField(max_length=12, choices=AffiliateKind.choices)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=60, blank=True)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.PERCENTAGE)
    value = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        ordering = ["ruleset", "affiliate_kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="roy_rate_value_non_negative"),
            models.CheckConstraint(
                condition=~Q(basis="percentage") | Q(value__lte=100), name="roy_rate_percentage_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(product__isnull=True) | Q(category=""), name="roy_rate_product_or_category"
            ),
            models.UniqueConstraint(
                fields=["ruleset", "affiliate_kind", "product"],
                condition=Q(product__isnull=False),
                name="roy_rate_one_per_product",
            ),
            models.UniqueConstraint(
                fields=["ruleset", "affiliate_kind", "category"],
                condition=Q(product__isnull=True),
                name="roy_rate_one_per_category",
            ),
        ]

    def __str__(self) -> str:
        target = self.product or self.category or "default"
        unit = "%" if self.basis == Basis.PERCENTAGE else " flat"
        return f"{self.get_affiliate_kind_display()} {target}: {self.value}{unit}"


class Metric(models.TextChoices):
    RATING = "rating", "Average rating of the promoted products"
    CSAT = "csat", "CSAT % of the attributed interactions"
    RESPONSE_RATE = "response_rate", "4-hour response rate % (sellers)"


class PerformanceTier(models.Model):
    """A multiplier on the period's base commission: for each metric the tier with the highest
    ``min_value`` the period's figure reaches applies, and adds ``base x (multiplier - 1)`` (a
    multiplier below 1 is a penalty). ``applies_to``: the affiliate kinds (empty: every kind)."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="tiers")
    metric = models.CharField(max_length=16, choices=Metric.choices)
    min_value = models.DecimalField(max_digits=7, decimal_places=2)
    multiplier = models.DecimalField(max_digits=6, decimal_places=4)
    applies_to = models.JSONField(default=list, blank=True, help_text="Affiliate kinds; empty: every kind")

    class Meta:
        ordering = ["ruleset", "metric", "min_value", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(multiplier__gte=0), name="roy_tier_multiplier_non_negative"),
            models.CheckConstraint(condition=Q(min_value__gte=0), name="roy_tier_min_value_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} >= {self.min_value}: x{self.multiplier}"

    def applies_to_kind(self, kind: str) -> bool:
        return not self.applies_to or kind in self.applies_to


class PayoutBatch(models.Model):
    """Approved statements paid together (one currency); exported as CSV."""

    period = models.CharField(max_length=24)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    total = money_field()
    statements_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "payout batches"

    def __str__(self) -> str:
        return f"Payout {self.id} ({self.period}, {self.total} {self.currency})"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"


STATEMENT_TRANSITIONS: dict[str, set[str]] = {
    StatementStatus.DRAFT: {StatementStatus.APPROVED},
    StatementStatus.APPROVED: {StatementStatus.PAID},
    StatementStatus.PAID: set(),
}


class Statement(models.Model):
    """An affiliate's statement for a period (``period`` is its label, ``2026-11`` or ``2026-Q4``).

    Approval: ``approved_by`` is the first approval; above ``ROYALTY_APPROVAL_TWO_PERSON_ABOVE``
    the statement stays a draft until a different person gives the second (``second_approver``).
    A line added to a draft clears a first approval (the amount approved changed).

    Coverage: a statement pays the affiliate's sales sold before its ``end`` and attributed up to
    ``covered_through`` (the highest attribution id when it was last generated), less those its
    previous statement covered. A sale attributed after its period's statement was approved is
    therefore paid by the next statement generated; running generation again covers nothing twice.
    ``ruleset`` is the rule set its lines were computed with."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="statements")
    period = models.CharField(max_length=24)
    start = models.DateTimeField()
    end = models.DateTimeField()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    status = models.CharField(
        max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT, db_index=True
    )
    total = money_field()
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payout_batch = models.ForeignKey(
        PayoutBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )
    covered_through = models.BigIntegerField(default=0, help_text="Highest attribution id covered")
    ruleset = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="statements")

    class Meta:
        ordering = ["-start", "affiliate_id", "id"]
        indexes = [models.Index(fields=["period", "status"], name="roy_statement_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "period"], name="roy_statement_one_per_period"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False), name="roy_statement_approved_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_at__isnull=False) & Q(payout_batch__isnull=False)),
                name="roy_statement_paid_has_batch",
            ),
            models.CheckConstraint(
                condition=Q(second_approver__isnull=True) | ~Q(second_approver=models.F("approved_by")),
                name="roy_statement_two_different_approvers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.affiliate} {self.period}"

    @property
    def is_draft(self) -> bool:
        return self.status == StatementStatus.DRAFT


class LineKind(models.TextChoices):
    BASE = "base", "Base commission"
    PERFORMANCE = "performance", "Performance adjustment"
    CLAWBACK = "clawback", "Clawback of a refund"
    ADJUSTMENT = "adjustment", "Manual adjustment"


class ReasonCode(models.TextChoices):
    CORRECTION = "correction", "Correction of an earlier statement"
    GOODWILL = "goodwill", "Goodwill"
    DISPUTE = "dispute", "Dispute settled"
    BONUS = "bonus", "Bonus"
    PENALTY = "penalty", "Penalty"
    OTHER = "other", "Other"


class AppendOnlyError(Exception):
    """A statement line or event is never changed or deleted: a correction is a new line."""


class StatementLine(models.Model):
    """One amount on a statement and why: ``figures`` holds what produced it (the sales counted,
    the period's figures and the tier, the refund, ...). ``source_key`` makes generation idempotent:
    one line per key per statement (``base:1``, ``performance:rating:1``, ``clawback:<refund>``,
    ``adjustment:<id>``)."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    amount = money_field()
    description = models.CharField(max_length=300)
    figures = models.JSONField(default=dict, blank=True)
    reason_code = models.CharField(max_length=12, choices=ReasonCode.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_key = models.CharField(max_length=64)
    # A refund is clawed back once, in whichever statement first takes it.
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="royalty_clawback"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["statement", "id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "source_key"], name="roy_line_one_per_source"),
            models.CheckConstraint(
                condition=~Q(kind="clawback") | Q(refund__isnull=False), name="roy_line_clawback_has_refund"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("A statement line is never changed: add a correcting line.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("A statement line is never deleted: add a correcting line.")


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second approver"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"


class Adjustment(models.Model):
    """A manual adjustment asked for by finance. At or below
    ``ROYALTY_ADJUSTMENT_SECOND_APPROVER_ABOVE`` (absolute amount) it is applied at once (its
    line written); above it waits until another finance user approves it."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="adjustments")
    amount = money_field()
    reason_code = models.CharField(max_length=12, choices=ReasonCode.choices, default=ReasonCode.OTHER)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=AdjustmentStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    line = models.OneToOneField(
        StatementLine, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustment"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["statement"], condition=Q(status="pending"), name="roy_adjustment_pending_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=Decimal("0")), name="roy_adjustment_not_zero"),
            models.CheckConstraint(
                condition=~Q(status="applied") | Q(line__isnull=False), name="roy_adjustment_applied_has_line"
            ),
        ]

    def __str__(self) -> str:
        return f"Adjustment {self.amount} on {self.statement_id} ({self.status})"


class EventKind(models.TextChoices):
    GENERATED = "generated", "Generated"
    LINES_ADDED = "lines_added", "Lines added by generation"
    ADJUSTMENT_REQUESTED = "adjustment_requested", "Adjustment waiting for a second approver"
    ADJUSTMENT_APPLIED = "adjustment_applied", "Adjustment applied"
    ADJUSTMENT_REJECTED = "adjustment_rejected", "Adjustment rejected"
    FIRST_APPROVAL = "first_approval", "First approval"
    APPROVAL_CLEARED = "approval_cleared", "First approval cleared by a new line"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"


class StatementEvent(models.Model):
    """Append-only history of a statement: who did what, when, with which figures."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["statement", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.statement_id}"


class VisibilityScore(models.Model):
    """A seller's or a product's visibility score (0-100) for the storefront to rank by, with the
    figures it came from (``royalty.services.visibility``: the formula and its neutral defaults).
    ``subject`` (``seller:<id>`` / ``product:<id>``) is the one key the refresh sweep upserts on."""

    subject = models.CharField(max_length=40, unique=True)
    seller = models.OneToOneField(
        Seller, null=True, blank=True, on_delete=models.CASCADE, related_name="visibility_score"
    )
    product = models.OneToOneField(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="visibility_score"
    )
    score = models.DecimalField(max_digits=5, decimal_places=2)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    response_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    inquiries = models.PositiveIntegerField(default=0)
    csat = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    csat_responses = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "subject"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(seller__isnull=False) & Q(product__isnull=True))
                | (Q(seller__isnull=True) & Q(product__isnull=False)),
                name="roy_visibility_seller_or_product",
            ),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="roy_visibility_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.subject}: {self.score}"
