"""Reads for the buyer's own order pages (``/orders/``): strictly the orders they placed. Staff and
seller members see other people's orders in the console and the seller pages, never here; any
order that is not the user's own is a 404 on these pages.

Everything a page shows is fetched with a fixed number of queries (prefetches), whatever the number
of orders, shipments, events, invoice versions, payments and refunds; what the page derives (what
changed between invoice versions, a payment's timeline, when a refund reaches the statement) is
computed here from the fetched rows, so templates only display.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from accounts.models import User
from marketplace.models import (
    Invoice,
    InvoiceLine,
    Order,
    OrderItem,
    Payment,
    PaymentEvent,
    PaymentFailureReason,
    PaymentStatus,
    Receipt,
    ReceiptDelivery,
    ReceiptRevision,
    Refund,
    RefundGrant,
    RefundGrantStatus,
    Shipment,
    TrackingEvent,
)

SATURDAY = 5


def add_working_days(start: date, days: int) -> date:
    """``days`` working days (Monday to Friday) after ``start``."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < SATURDAY:
            remaining -= 1
    return current


def _shipments_prefetch() -> Prefetch:
    return Prefetch(
        "shipments",
        queryset=Shipment.objects.order_by("-created_at", "-id").prefetch_related(
            Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id"))
        ),
    )


def buyer_order_list(*, buyer: User) -> QuerySet[Order]:
    """The buyer's orders, newest first, each with its seller and shipments (newest first) with
    their tracking events (newest first): three queries per page."""
    return (
        Order.objects.filter(buyer_id=buyer.pk)
        .select_related("seller")
        .prefetch_related(_shipments_prefetch())
        .order_by("-placed_at", "-id")
    )


def buyer_order_get(*, buyer: User, pk: int) -> Order | None:
    """One of the buyer's own orders with everything its page shows; None for any other order."""
    return (
        Order.objects.filter(buyer_id=buyer.pk, pk=pk)
        .select_related("seller")
        .prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.order_by("id")),
            _shipments_prefetch(),
            Prefetch(
                "invoices",
                queryset=Invoice.objects.order_by("-version", "-id").prefetch_related(
                    Prefetch("lines", queryset=InvoiceLine.objects.order_by("id"))
                ),
            ),
            Prefetch(
                "payments",
                queryset=Payment.objects.select_related("receipt")
                .order_by("-created_at", "-id")
                .prefetch_related(
                    Prefetch("events", queryset=PaymentEvent.objects.order_by("created_at", "id")),
                    Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")),
                    Prefetch(
                        "refund_grants",
                        queryset=RefundGrant.objects.filter(status=RefundGrantStatus.GRANTED).order_by(
                            "created_at", "id"
                        ),
                    ),
                    Prefetch(
                        "receipt__deliveries",
                        queryset=ReceiptDelivery.objects.order_by("-created_at", "-id"),
                    ),
                    Prefetch("receipt__revisions", queryset=ReceiptRevision.objects.order_by("created_at", "id")),
                ),
            ),
        )
        .first()
    )


def buyer_receipt_get(*, buyer: User, pk: int) -> Receipt | None:
    """A receipt of one of the buyer's own orders; None for any other."""
    return Receipt.objects.filter(pk=pk, payment__order__buyer_id=buyer.pk).select_related("payment").first()


# --- Invoices: every version, what changed and why -------------------------------------------------


@dataclass(frozen=True)
class InvoiceVersion:
    invoice: Invoice
    changes: list[str]


def _money_change(label: str, old: Decimal, new: Decimal, currency: str) -> str | None:
    return None if old == new else f"{label}: {old} → {new} {currency}"


def _line_key(line: InvoiceLine) -> tuple[object, str]:
    return (line.product_id, line.description)


def invoice_changes(*, old: Invoice, new: Invoice) -> list[str]:
    """What ``new`` changed against ``old``, in words: lines added, removed or changed, then
    shipping, tax, discount and total (unchanged amounts are not mentioned)."""
    changes: list[str] = []
    old_lines = {_line_key(line): line for line in old.lines.all()}
    new_lines = {_line_key(line): line for line in new.lines.all()}
    for key, line in new_lines.items():
        before = old_lines.get(key)
        if before is None:
            changes.append(f"Added: {line.quantity} x {line.description} at {line.unit_price}")
        elif (before.quantity, before.unit_price) != (line.quantity, line.unit_price):
            changes.append(
                f"{line.description}: {before.quantity} x {before.unit_price} → {line.quantity} x {line.unit_price}"
            )
    changes.extend(
        f"Removed: {line.quantity} x {line.description}" for key, line in old_lines.items() if key not in new_lines
    )
    for label, attribute in (
        ("Shipping", "shipping_fee"),
        ("Tax", "tax"),
        ("Discount", "discount"),
        ("Total", "total"),
    ):
        change = _money_change(label, getattr(old, attribute), getattr(new, attribute), new.currency)
        if change:
            changes.append(change)
    return changes


def invoice_versions(order: Order) -> list[InvoiceVersion]:
    """The order's invoice versions, newest first, each with what it changed against the one it
    superseded (from the prefetched rows: no query)."""
    invoices = list(order.invoices.all())
    by_id = {invoice.pk: invoice for invoice in invoices}
    versions = []
    for invoice in invoices:
        old = by_id.get(invoice.supersedes_id) if invoice.supersedes_id else None
        versions.append(InvoiceVersion(invoice=invoice, changes=invoice_changes(old=old, new=invoice) if old else []))
    return versions


# --- Payments and refunds: a status timeline ---------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime | date
    title: str
    detail: str = ""
    tone: str = ""  # "ok", "warn", "danger" or "" (the pill colours of the pages)
    is_expected: bool = False  # a date to come, not something that happened


@dataclass(frozen=True)
class PaymentView:
    payment: Payment
    timeline: list[TimelineEntry]
    receipt: Receipt | None
    failure_reason: str = ""
    next_step: str = ""
    pending_refunds: list[RefundGrant] = field(default_factory=list)


def refund_statement_window(refund: Refund) -> tuple[date, date]:
    """When a refund is usually on the buyer's statement: ``MARKETPLACE_REFUND_STATEMENT_WORKING_DAYS``
    working days after it was issued."""
    low, high = settings.MARKETPLACE_REFUND_STATEMENT_WORKING_DAYS
    issued = refund.created_at.date()
    return add_working_days(issued, low), add_working_days(issued, high)


def _day(value: date) -> str:
    return f"{value.day} {value:%b}"


_STATUS_TITLES = {
    PaymentStatus.PENDING: ("Payment started", ""),
    PaymentStatus.AUTHORIZED: ("Payment authorized", ""),
    PaymentStatus.CAPTURED: ("Payment taken", "ok"),
    PaymentStatus.FAILED: ("Payment failed", "danger"),
}


def payment_timeline(payment: Payment) -> list[TimelineEntry]:
    """A payment's history for the buyer, oldest first: each status it went through, each refund
    (with when it usually reaches the statement) and each refund waiting for finance. Internal
    notes are not shown, only what happened and amounts."""
    low, high = settings.MARKETPLACE_REFUND_STATEMENT_WORKING_DAYS
    entries: list[TimelineEntry] = []
    for event in payment.events.all():
        if event.to_status in _STATUS_TITLES and event.from_status != event.to_status:
            title, tone = _STATUS_TITLES[PaymentStatus(event.to_status)]
            detail = f"{event.amount} {payment.currency}" if event.amount is not None else ""
            if event.to_status == PaymentStatus.FAILED and payment.failure_reason:
                detail = PaymentFailureReason(payment.failure_reason).label
            entries.append(TimelineEntry(at=event.created_at, title=title, detail=detail, tone=tone))
    for refund in payment.refunds.all():
        first, last = refund_statement_window(refund)
        entries.append(
            TimelineEntry(
                at=refund.created_at,
                title=f"Refund of {refund.amount} {payment.currency} issued {_day(refund.created_at.date())}",
                detail=f"Usually on your statement in {low}-{high} working days ({_day(first)} - {_day(last)}).",
                tone="ok",
            )
        )
    for grant in payment.refund_grants.all():
        entries.append(
            TimelineEntry(
                at=grant.created_at,
                title=f"Refund of {grant.amount} {payment.currency} approved",
                detail="Our finance team sends it next; you will be told when it is on its way.",
                tone="warn",
            )
        )
    entries.sort(key=lambda entry: entry.at)
    return entries


def payment_views(order: Order) -> list[PaymentView]:
    views = []
    for payment in order.payments.all():
        is_failed = payment.status == PaymentStatus.FAILED
        views.append(
            PaymentView(
                payment=payment,
                timeline=payment_timeline(payment),
                receipt=getattr(payment, "receipt", None),
                failure_reason=PaymentFailureReason(payment.failure_reason or PaymentFailureReason.OTHER).label
                if is_failed
                else "",
                next_step=payment.failure_next_step if is_failed else "",
                pending_refunds=list(payment.refund_grants.all()),
            )
        )
    return views
