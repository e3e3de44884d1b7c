"""Reads for invoices, payments, refunds and receipts, scoped like orders.

Each list starts from what the acting user may see (``order_visibility_q``: staff all, a buyer
their orders, a seller member their sellers' orders); a record outside it is a 404. Related rows
that the API serializes are joined or prefetched, so a page costs the same number of queries
whatever its size.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet

from accounts.models import User
from core.exceptions import NotFound
from marketplace.models import (
    REFUNDABLE_PAYMENT_STATUSES,
    Invoice,
    InvoiceLine,
    Order,
    Payment,
    PaymentStatus,
    Receipt,
    ReceiptDelivery,
    Refund,
    RefundGrant,
    RefundGrantStatus,
)
from marketplace.selectors.scoping import order_visibility_q, order_visible_queryset


def order_get_for_user(*, user: User, order_id: int) -> Order | None:
    """The order if ``user`` may see it (for endpoints that take an order id in their body)."""
    return order_visible_queryset(user).select_related("buyer").filter(pk=order_id).first()


def invoice_list_for_user(*, user: User) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(order_visibility_q(user, prefix="order__"))
        .annotate(superseded_by_pk=F("superseded_by__id"))
        .prefetch_related(Prefetch("lines", queryset=InvoiceLine.objects.order_by("id")))
        .order_by("-created_at", "-id")
    )


def invoice_get_for_user(*, user: User, invoice_id: int) -> Invoice:
    invoice = invoice_list_for_user(user=user).filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice


def payment_list_for_user(*, user: User) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(order_visibility_q(user, prefix="order__"))
        .annotate(receipt_pk=F("receipt__id"))
        .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "id")))
        .order_by("-created_at", "-id")
    )


def payment_get_for_user(*, user: User, payment_id: int) -> Payment:
    payment = payment_list_for_user(user=user).filter(pk=payment_id).first()
    if payment is None:
        raise NotFound("No such payment.")
    return payment


def refund_get(*, refund_id: int) -> Refund:
    """A refund just written by the caller (already authorized through its payment)."""
    return Refund.objects.select_related("payment").get(pk=refund_id)


def receipt_list_for_user(*, user: User) -> QuerySet[Receipt]:
    return (
        Receipt.objects.filter(order_visibility_q(user, prefix="payment__order__"))
        .select_related("payment")
        .prefetch_related(Prefetch("deliveries", queryset=ReceiptDelivery.objects.order_by("created_at", "id")))
        .order_by("-created_at", "-id")
    )


def receipt_get_for_user(*, user: User, receipt_id: int) -> Receipt:
    receipt = receipt_list_for_user(user=user).filter(pk=receipt_id).first()
    if receipt is None:
        raise NotFound("No such receipt.")
    return receipt


def refund_list_for_user(*, user: User) -> QuerySet[Refund]:
    """Refunds of the payments the user may see (a buyer: their own orders')."""
    return (
        Refund.objects.filter(order_visibility_q(user, prefix="payment__order__"))
        .select_related("payment")
        .order_by("-created_at", "-id")
    )


def refund_grant_list_for_user(*, user: User) -> QuerySet[RefundGrant]:
    """Refund grants of the payments the user may see (the buyer sees theirs: "approved, on its way")."""
    return (
        RefundGrant.objects.filter(order_visibility_q(user, prefix="payment__order__"))
        .select_related("payment")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class ReceiptCheck:
    """What support sees when a buyer says a receipt is missing or wrong."""

    is_correct: bool
    problems: list[str]
    payment_status: str
    captured_amount: Decimal
    buyer_email: str
    deliveries: int
    last_sent_to: str


def receipt_verification(*, receipt: Receipt) -> ReceiptCheck:
    """Check a receipt against its payment and buyer: the payment was taken, the receipt states the
    captured amount in the payment's currency, it went to the buyer's current address."""
    payment = receipt.payment
    buyer = payment.order.buyer
    problems = []
    if payment.status not in REFUNDABLE_PAYMENT_STATUSES and payment.status != PaymentStatus.REFUNDED:
        problems.append(f"The payment is {payment.status}: it was not taken.")
    if receipt.amount != payment.captured_amount:
        problems.append(f"The receipt says {receipt.amount}, the payment took {payment.captured_amount}.")
    if receipt.currency != payment.currency:
        problems.append(f"The receipt is in {receipt.currency}, the payment in {payment.currency}.")
    deliveries = list(receipt.deliveries.order_by("-created_at", "-id"))
    if not deliveries:
        problems.append("The receipt was never sent.")
    elif buyer.email and deliveries[0].email.lower() != buyer.email.lower():
        problems.append(f"It was last sent to {deliveries[0].email}, not to the buyer's address {buyer.email}.")
    return ReceiptCheck(
        is_correct=not problems,
        problems=problems,
        payment_status=payment.status,
        captured_amount=payment.captured_amount,
        buyer_email=buyer.email,
        deliveries=len(deliveries),
        last_sent_to=deliveries[0].email if deliveries else "",
    )


def finance_queue_counts() -> dict[str, int]:
    """The console's finance queue (``marketplace.console_navigation``), in one query: refunds
    granted by support and waiting for finance to send them."""
    return RefundGrant.objects.aggregate(refunds_to_send=Count("id", filter=Q(status=RefundGrantStatus.GRANTED)))
