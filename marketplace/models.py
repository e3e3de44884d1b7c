"""Marketplace records the other apps refer to: sellers and their members, products, orders,
shipments and tracking, invoices (versioned), payments, refunds and receipts.

Money is ``Decimal`` with two places; totals are computed by the services, never typed in.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Currency(models.TextChoices):
    USD = "USD", "US dollar"
    EUR = "EUR", "Euro"
    GBP = "GBP", "Pound sterling"
    ZAR = "ZAR", "South African rand"


def money_field(**kwargs: object) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class Seller(models.Model):
    """A store on the marketplace. Its users are its members."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="SellerMembership", related_name="sellers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SellerMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seller_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seller_id", "id"]
        constraints = [models.UniqueConstraint(fields=["seller", "user"], name="marketplace_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.seller} ({self.role})"


class Product(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    price = money_field()
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "sku"], name="marketplace_product_sku_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="marketplace_product_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.PENDING: {OrderStatus.PROCESSING, OrderStatus.CANCELLED},
    OrderStatus.PROCESSING: {OrderStatus.SHIPPED, OrderStatus.CANCELLED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
    OrderStatus.DELIVERED: set(),
    OrderStatus.CANCELLED: set(),
}


_ORDER_SUM = F("subtotal") + F("shipping_fee") + F("tax") - F("discount")


class Order(models.Model):
    number = models.CharField(max_length=32, unique=True, help_text="Human order number, e.g. SP-2026-000123")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=12, choices=OrderStatus.choices, default=OrderStatus.PENDING, db_index=True)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.USD)
    subtotal = money_field()
    shipping_fee = money_field()
    tax = money_field()
    discount = money_field()
    total = money_field()
    placed_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-placed_at"], name="marketplace_order_buyer_idx"),
            models.Index(fields=["seller", "-placed_at"], name="marketplace_order_seller_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subtotal__gte=0) & Q(shipping_fee__gte=0) & Q(tax__gte=0) & Q(discount__gte=0),
                name="marketplace_order_amounts_non_negative",
            ),
            # Within half a cent of the sum: with two-place numerics (PostgreSQL) that is exact
            # equality, while SQLite adds in binary floating point (61.73 + 5 + 3 - 10.50 there is
            # 59.22999...), where a strict equality refused correct orders.
            models.CheckConstraint(
                condition=Q(total__gt=_ORDER_SUM - Decimal("0.005")) & Q(total__lt=_ORDER_SUM + Decimal("0.005")),
                name="marketplace_order_total_adds_up",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="marketplace_order_total_non_negative"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderTally(models.Model):
    """How many orders there are, kept by the database (PostgreSQL triggers, migration 0006).

    The staff order list shows every order's count on every page; ``COUNT(*)`` over 100,000 orders
    cost about half of that request. Each statement that inserts or deletes orders adds its row
    count to one of a few slots (the backend's process id modulo ``SLOTS``), in the same
    transaction, so concurrent inserts rarely wait on one row and a reader's snapshot sees exactly
    the orders it sees. ``SUM(orders)`` over the slots is the count (``order_count``). A TRUNCATE of
    the orders empties it. SQLite has no such triggers: there the count stays ``COUNT(*)``.

    Writes that bypass triggers (``session_replication_role = replica``, ``DISABLE TRIGGER``) leave
    it behind; recount in one transaction with ``LOCK TABLE marketplace_order IN SHARE MODE; DELETE
    FROM marketplace_ordertally; INSERT INTO marketplace_ordertally (slot, orders) SELECT 0, count(*)
    FROM marketplace_order;`` (what migration 0006 does).
    """

    SLOTS = 16

    slot = models.SmallIntegerField(primary_key=True)
    orders = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["slot"]

    def __str__(self) -> str:
        return f"slot {self.slot}: {self.orders}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    product_name = models.CharField(max_length=200, help_text="The product's name when it was ordered")
    quantity = models.PositiveIntegerField()
    unit_price = money_field()
    line_total = money_field()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="marketplace_item_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="marketplace_item_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"


class OrderEvent(models.Model):
    """Append-only history of an order: who did what, when, why."""

    class Kind(models.TextChoices):
        PLACED = "placed", "Placed"
        STATUS_CHANGED = "status_changed", "Status changed"
        SHIPMENT_CREATED = "shipment_created", "Shipment created"
        INVOICE_ISSUED = "invoice_issued", "Invoice issued"
        INVOICE_REISSUED = "invoice_reissued", "Invoice reissued"
        PAYMENT_RECORDED = "payment_recorded", "Payment recorded"
        REFUND_ISSUED = "refund_issued", "Refund issued"
        RECEIPT_SENT = "receipt_sent", "Receipt sent"
        RECEIPT_REISSUED = "receipt_reissued", "Receipt reissued"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        REFUND_GRANTED = "refund_granted", "Refund granted"
        DELAY_NOTIFIED = "delay_notified", "Delay announced"
        STATUS_ANSWERED = "status_answered", "Status answer sent"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.kind}"


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=100)
    shipped_at = models.DateTimeField(null=True, blank=True)
    expected_delivery = models.DateField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "tracking_number"], name="marketplace_shipment_tracking_unique")
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=40, help_text="Carrier status, e.g. in_transit, out_for_delivery")
    location = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.shipment} {self.status} @ {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def status_text(self) -> str:
        """The carrier status for people: ``out_for_delivery`` → "Out for delivery"."""
        return self.status.replace("_", " ").capitalize()


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", "Issued (current version)"
    SUPERSEDED = "superseded", "Superseded by a later version"


class Invoice(models.Model):
    """One version of an order's invoice. A correction is a new version (same number, version + 1)
    that ``supersedes`` the old one; the old row is kept, marked superseded, never overwritten."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=32, db_index=True)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.TextField(blank=True, help_text="Why this version was issued (required for a reissue)")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    currency = models.CharField(max_length=3, choices=Currency.choices)
    subtotal = money_field()
    shipping_fee = money_field()
    tax = money_field()
    discount = money_field()
    total = money_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="marketplace_invoice_number_version_unique"),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="issued"),
                name="marketplace_invoice_one_current_per_order",
            ),
        ]
        permissions = [("reissue_invoice", "Can reissue an invoice as a new version")]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price = money_field()
    line_total = money_field()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    AUTHORIZED = "authorized", "Authorized"
    CAPTURED = "captured", "Captured"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.PENDING: {PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED, PaymentStatus.FAILED},
    PaymentStatus.AUTHORIZED: {PaymentStatus.CAPTURED, PaymentStatus.FAILED},
    PaymentStatus.CAPTURED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
    PaymentStatus.PARTIALLY_REFUNDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
    PaymentStatus.FAILED: set(),
    PaymentStatus.REFUNDED: set(),
}
REFUNDABLE_PAYMENT_STATUSES = {PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED}


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    WALLET = "wallet", "Wallet"
    CASH_ON_DELIVERY = "cash_on_delivery", "Cash on delivery"


class PaymentFailureReason(models.TextChoices):
    """Why a payment failed; each has the next step the buyer is told (``services.billing``)."""

    CARD_DECLINED = "card_declined", "Declined by the card issuer"
    INSUFFICIENT_FUNDS = "insufficient_funds", "Insufficient funds"
    EXPIRED_CARD = "expired_card", "Card expired"
    AUTHENTICATION_FAILED = "authentication_failed", "Authentication (3-D Secure) failed"
    PROCESSING_ERROR = "processing_error", "Processing error at the payment provider"
    OTHER = "other", "Other"


# What the buyer is told to do next after a failed payment, by reason.
FAILURE_NEXT_STEPS: dict[str, str] = {
    PaymentFailureReason.CARD_DECLINED: "Your card issuer declined the payment. Try another card, or ask your bank "
    "why it was declined and then pay again.",
    PaymentFailureReason.INSUFFICIENT_FUNDS: "There were not enough funds. Top up the account or use another "
    "payment method, then pay again.",
    PaymentFailureReason.EXPIRED_CARD: "The card has expired. Pay again with a card that is still valid.",
    PaymentFailureReason.AUTHENTICATION_FAILED: "The security check with your bank (3-D Secure) did not complete. "
    "Pay again and confirm the payment in your banking app or with the code your bank sends.",
    PaymentFailureReason.PROCESSING_ERROR: "The payment provider had a problem; no money was taken. Please try "
    "again in a few minutes.",
    PaymentFailureReason.OTHER: "The payment did not go through; no money was taken. Try again, or use another "
    "payment method. If it fails again, get help from our support team.",
}


class Payment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    amount = money_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    captured_amount = money_field()
    refunded_amount = money_field()
    reference = models.CharField(max_length=64, unique=True)
    failure_reason = models.CharField(
        max_length=24, choices=PaymentFailureReason.choices, blank=True, help_text="Why a failed payment failed"
    )
    captured_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="marketplace_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_amount__gte=0) & Q(captured_amount__lte=F("amount")),
                name="marketplace_payment_captured_within_amount",
            ),
            # The last line of defence against over-refunding, behind the row lock in refund_issue.
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("captured_amount")),
                name="marketplace_payment_refunds_within_captured",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def refundable_amount(self) -> Decimal:
        return self.captured_amount - self.refunded_amount

    @property
    def failure_next_step(self) -> str:
        """What the buyer should do after this payment failed."""
        return FAILURE_NEXT_STEPS[PaymentFailureReason(self.failure_reason or PaymentFailureReason.OTHER)]


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field()
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="marketplace_refund_amount_positive")]

    def __str__(self) -> str:
        return f"Refund {self.amount} on {self.payment}"


class RefundGrantStatus(models.TextChoices):
    GRANTED = "granted", "Granted, waiting for finance"
    SENT = "sent", "Sent"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RefundGrant(models.Model):
    """A refund above ``MARKETPLACE_REFUND_APPROVAL_THRESHOLD``: granted by support, sent by finance,
    two different people (the service checks it; the CheckConstraint backs it in the database)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refund_grants")
    amount = money_field()
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=RefundGrantStatus.choices, default=RefundGrantStatus.GRANTED)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund = models.OneToOneField(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="grant")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("grant_refund", "Can grant a refund above the approval threshold")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="marketplace_refund_grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(sent_by__isnull=True) | ~Q(sent_by=F("granted_by")),
                name="marketplace_refund_grant_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"Grant {self.amount} on {self.payment}"


class PaymentEvent(models.Model):
    """Append-only history of a payment's status and refunds."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    amount = money_field(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.payment} {self.from_status}→{self.to_status}"


class Receipt(models.Model):
    """Proof of a captured payment; issued once per payment, resent on request (each send logged)."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    number = models.CharField(max_length=32, unique=True)
    amount = money_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    email = models.EmailField(help_text="Where the receipt was first sent")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("resend_receipt", "Can resend a receipt")]

    def __str__(self) -> str:
        return self.number


class ReceiptDelivery(models.Model):
    """One sending of a receipt: the first issue and every resend."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField()
    is_resend = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "receipt deliveries"

    def __str__(self) -> str:
        return f"{self.receipt} → {self.email}"


class ReceiptRevision(models.Model):
    """What a receipt said before it was reissued, and why it was (the receipt row holds the
    current version)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="revisions")
    number = models.CharField(max_length=32)
    amount = money_field()
    email = models.EmailField(blank=True)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.receipt} was {self.number}"


class OrderDelay(models.Model):
    """One delay of a shipment, told to the buyer once (``services.delays``).

    A delay is identified by what it is about: the expected delivery date that passed, or the
    last sign of life (tracking event, else shipping) that is too old. A new expected date or a new
    tracking event that again goes stale is a new delay; the same one is never told twice: the
    partial unique constraints make a second detection a no-op, and ``notified_at`` is claimed
    by one conditional UPDATE."""

    class Kind(models.TextChoices):
        PAST_EXPECTED = "past_expected", "Past the expected delivery date"
        NO_TRACKING = "no_tracking", "No tracking update"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="delays")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="delays")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    expected_delivery = models.DateField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "expected_delivery"],
                condition=Q(kind="past_expected"),
                name="marketplace_delay_once_per_expected_date",
            ),
            models.UniqueConstraint(
                fields=["shipment", "last_activity_at"],
                condition=Q(kind="no_tracking"),
                name="marketplace_delay_once_per_silence",
            ),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(notified_at__isnull=True), name="marketplace_delay_unnotified"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.kind}"


class NumberSequence(models.Model):
    """Gap-tolerant counters for human document numbers (orders, invoices, receipts), one row per
    prefix and year, incremented under a row lock so two concurrent writers never share a number."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="marketplace_number_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_value}"
