"""Writes for invoices, payments, refunds and receipts.

Every function here is the one way to make its change: the API, the moderators' console (admin
actions) and the help desk call the same service. Each runs in one transaction: guard (who may,
is the state right) → change (under a row lock or a conditional UPDATE) → event rows
(``OrderEvent``, ``PaymentEvent``) → notifications and emails, which leave only after commit.

Who may act is checked here too, so every interface gets the same rule:

- issue an invoice: ``marketplace.add_invoice`` (finance, integration, admins) or a member of the
  order's seller;
- reissue an invoice: ``marketplace.reissue_invoice``;
- record a payment: ``marketplace.add_payment``; capture one: ``marketplace.change_payment``;
- refund: ``marketplace.add_refund``;
- resend a receipt: ``marketplace.resend_receipt`` to any address, or the order's buyer to their
  own account address.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from accounts.models import User
from accounts.selectors.users import user_has_permission
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.money import round_money
from core.text import clean_text, column_max_length
from marketplace.models import (
    PAYMENT_TRANSITIONS,
    REFUNDABLE_PAYMENT_STATUSES,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Order,
    OrderEvent,
    OrderStatus,
    Payment,
    PaymentEvent,
    PaymentFailureReason,
    PaymentMethod,
    PaymentStatus,
    Product,
    Receipt,
    ReceiptDelivery,
    ReceiptRevision,
    Refund,
    RefundGrant,
    RefundGrantStatus,
)
from marketplace.notices import Kind
from marketplace.selectors.scoping import user_is_seller_member
from marketplace.services.numbering import number_next
from notifications.services.notify import notify
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
# The statuses a payment may be recorded with; the later ones (refunds) only come from refund_issue.
CREATABLE_PAYMENT_STATUSES = (
    PaymentStatus.PENDING,
    PaymentStatus.AUTHORIZED,
    PaymentStatus.CAPTURED,
    PaymentStatus.FAILED,
)


@dataclass(frozen=True)
class InvoiceLineData:
    """One line of a reissued invoice, as the caller typed it."""

    description: str
    quantity: int
    unit_price: Decimal
    product_id: int | None = None


# --- Guards -----------------------------------------------------------------------------------


def user_can_issue_invoice(*, user: User, order: Order) -> bool:
    return user_has_permission(user, "marketplace.add_invoice") or user_is_seller_member(user, order.seller_id)


def _require_permission(user: User, permission: str, message: str) -> None:
    if not user_has_permission(user, permission):
        raise Forbidden(message, code="permission_denied")


def _check_amount(value: Decimal, *, field: str, allow_zero: bool) -> Decimal:
    """Money from any interface: finite, two places at most, within ``MARKETPLACE_MAX_AMOUNT``."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInput("A valid amount is required.", code="invalid", field=field)
    if value != round_money(value):
        raise InvalidInput("At most two decimal places.", code="max_decimal_places", field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(
            "Must be zero or more." if allow_zero else "Must be more than zero.", code="min_value", field=field
        )
    if value > settings.MARKETPLACE_MAX_AMOUNT:
        raise InvalidInput(f"Must be at most {settings.MARKETPLACE_MAX_AMOUNT}.", code="max_value", field=field)
    return round_money(value)


# --- Invoices ---------------------------------------------------------------------------------


def invoice_issue(*, order: Order, actor: User, now: datetime) -> Invoice:
    """Issue version 1 of ``order``'s invoice from its items and amounts.

    409 when the order is cancelled or already has a current invoice. The order row is locked so
    two simultaneous issues queue up; the partial unique constraint (one current invoice per
    order) refuses the second even where locks do not exist (SQLite)."""
    if not user_can_issue_invoice(user=actor, order=order):
        raise Forbidden("You may not issue invoices for this order.", code="permission_denied")
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            raise StateConflict("A cancelled order cannot be invoiced.", code="order_cancelled")
        if Invoice.objects.filter(order_id=locked.pk, status=InvoiceStatus.ISSUED).exists():
            raise StateConflict("This order already has a current invoice; reissue it instead.", code="invoice_exists")
        items = list(locked.items.order_by("id"))
        number = number_next(prefix="INV", now=now)
        try:
            with transaction.atomic():
                invoice = Invoice.objects.create(
                    order=locked,
                    number=number,
                    version=1,
                    status=InvoiceStatus.ISSUED,
                    issued_by=actor,
                    currency=locked.currency,
                    subtotal=locked.subtotal,
                    shipping_fee=locked.shipping_fee,
                    tax=locked.tax,
                    discount=locked.discount,
                    total=locked.total,
                )
        except IntegrityError as error:
            raise StateConflict("This order already has a current invoice.", code="invoice_exists") from error
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                product_id=item.product_id,
                description=item.product_name,
                quantity=item.quantity,
                unit_price=item.unit_price,
                line_total=item.line_total,
            )
            for item in items
        )
        OrderEvent.objects.create(
            order=locked, kind=OrderEvent.Kind.INVOICE_ISSUED, actor=actor, note=f"Invoice {number} (version 1)"
        )
        notify(
            recipients=[locked.buyer],
            kind=Kind.INVOICE_ISSUED,
            title=f"Invoice {number} for order {locked.number}",
            body=f"Invoice {number} for order {locked.number}: {invoice.total} {invoice.currency}.",
        )
    return invoice


def _reissue_lines(*, old: Invoice, order: Order, lines: list[InvoiceLineData] | None) -> list[InvoiceLine]:
    if lines is None:
        return [
            InvoiceLine(
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
            )
            for line in old.lines.order_by("id")
        ]
    if not lines:
        raise InvalidInput("An invoice needs at least one line.", code="empty", field="lines")
    product_ids = {line.product_id for line in lines if line.product_id is not None}
    known = set(Product.objects.filter(pk__in=product_ids, seller_id=order.seller_id).values_list("pk", flat=True))
    result = []
    for position, line in enumerate(lines, start=1):
        if line.product_id is not None and line.product_id not in known:
            raise InvalidInput(
                f"Line {position}: product {line.product_id} is not a product of this order's seller.",
                code="does_not_exist",
                field="lines",
            )
        description = clean_text(
            line.description, field="lines", max_length=column_max_length(InvoiceLine, "description"), single_line=True
        )
        if not 1 <= line.quantity <= settings.MARKETPLACE_MAX_QUANTITY:
            raise InvalidInput(
                f"Line {position}: quantity must be between 1 and {settings.MARKETPLACE_MAX_QUANTITY}.",
                code="invalid",
                field="lines",
            )
        unit_price = _check_amount(line.unit_price, field="lines", allow_zero=True)
        line_total = round_money(unit_price * line.quantity)
        if line_total > settings.MARKETPLACE_MAX_AMOUNT:
            raise InvalidInput(f"Line {position}: the line total is too large.", code="max_value", field="lines")
        result.append(
            InvoiceLine(
                product_id=line.product_id,
                description=description[:300],
                quantity=line.quantity,
                unit_price=unit_price,
                line_total=line_total,
            )
        )
    return result


def invoice_reissue(
    *,
    invoice: Invoice,
    actor: User,
    reason: str,
    now: datetime,
    lines: list[InvoiceLineData] | None = None,
    shipping_fee: Decimal | None = None,
    tax: Decimal | None = None,
    discount: Decimal | None = None,
) -> Invoice:
    """Correct an invoice: a new version with the same number, ``version + 1``, ``supersedes`` the
    old one, which is kept and marked superseded. Lines, shipping, tax and discount default to the
    old version's; totals are recomputed (each line rounded half-up to cents, then summed).

    The old row is locked and flipped with a conditional UPDATE (``WHERE status = 'issued'``), so of
    two concurrent reissues of one version exactly one wins; the other gets a 409. The one-to-one
    ``supersedes`` and the partial unique constraint back that up in the database."""
    _require_permission(actor, "marketplace.reissue_invoice", "You may not reissue invoices.")
    reason = clean_text(reason, field="reason", max_length=None)
    with transaction.atomic():
        old = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if old.status != InvoiceStatus.ISSUED:
            raise StateConflict("Only the current version of an invoice can be reissued.", code="invoice_superseded")
        order = Order.objects.select_related("buyer").get(pk=old.order_id)
        new_lines = _reissue_lines(old=old, order=order, lines=lines)
        new_shipping = (
            old.shipping_fee
            if shipping_fee is None
            else _check_amount(shipping_fee, field="shipping_fee", allow_zero=True)
        )
        new_tax = old.tax if tax is None else _check_amount(tax, field="tax", allow_zero=True)
        new_discount = old.discount if discount is None else _check_amount(discount, field="discount", allow_zero=True)
        subtotal = sum((line.line_total for line in new_lines), ZERO)
        total = subtotal + new_shipping + new_tax - new_discount
        if subtotal > settings.MARKETPLACE_MAX_AMOUNT or total > settings.MARKETPLACE_MAX_AMOUNT:
            raise InvalidInput("The invoice total is too large.", code="max_value", field="lines")
        if total < 0:
            raise InvalidInput("The discount is larger than the rest of the invoice.", code="invalid", field="discount")

        flipped = Invoice.objects.filter(pk=old.pk, status=InvoiceStatus.ISSUED).update(status=InvoiceStatus.SUPERSEDED)
        if flipped != 1:  # pragma: no cover - only without row locks, behind the lock above
            raise StateConflict("This invoice was reissued meanwhile.", code="invoice_superseded")
        try:
            with transaction.atomic():
                new = Invoice.objects.create(
                    order=order,
                    number=old.number,
                    version=old.version + 1,
                    status=InvoiceStatus.ISSUED,
                    supersedes=old,
                    reason=reason,
                    issued_by=actor,
                    currency=old.currency,
                    subtotal=subtotal,
                    shipping_fee=new_shipping,
                    tax=new_tax,
                    discount=new_discount,
                    total=total,
                )
        except IntegrityError as error:
            raise StateConflict("This invoice was reissued meanwhile.", code="invoice_superseded") from error
        for line in new_lines:
            line.invoice = new
        InvoiceLine.objects.bulk_create(new_lines)
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.INVOICE_REISSUED,
            actor=actor,
            note=f"Invoice {new.number} version {new.version} replaces version {old.version}: {reason}",
        )
        notify(
            recipients=[order.buyer],
            kind=Kind.INVOICE_REISSUED,
            title=f"Invoice {new.number} corrected (version {new.version})",
            body=f"Invoice {new.number} for order {order.number} was corrected: {reason}\n"
            f"New total: {new.total} {new.currency}.",
            link=f"/orders/{order.pk}/",
        )
    return new


# --- Payments ---------------------------------------------------------------------------------


def order_paid_amount(*, order_id: int) -> Decimal:
    """What the order has been paid net of refunds: captured minus refunded over its payments."""
    paid = Payment.objects.filter(order_id=order_id).aggregate(paid=Sum(F("captured_amount") - F("refunded_amount")))[
        "paid"
    ]
    return round_money(paid) if paid is not None else ZERO


def _payment_event(
    *, payment: Payment, actor: User | None, from_status: str, to_status: str, amount: Decimal | None, note: str = ""
) -> None:
    PaymentEvent.objects.create(
        payment=payment, actor=actor, from_status=from_status, to_status=to_status, amount=amount, note=note
    )


def payment_record(
    *,
    order: Order,
    amount: Decimal,
    method: str,
    status: str,
    actor: User,
    now: datetime,
    currency: str | None = None,
    failure_reason: str = "",
) -> Payment:
    """Record a payment on ``order``. ``amount`` may not exceed what is still unpaid (the order
    total minus captured payments net of refunds); the order row is locked so two payments recorded
    at once cannot both fit into the same balance. A payment recorded as captured gets its receipt;
    one recorded as failed tells the buyer at once why and what to do next."""
    _require_permission(actor, "marketplace.add_payment", "You may not record payments.")
    if status not in CREATABLE_PAYMENT_STATUSES:
        raise InvalidInput(
            f"Must be one of: {', '.join(CREATABLE_PAYMENT_STATUSES)}.", code="invalid_choice", field="status"
        )
    if method not in PaymentMethod.values:
        raise InvalidInput(f"Must be one of: {', '.join(PaymentMethod.values)}.", code="invalid_choice", field="method")
    amount = _check_amount(amount, field="amount", allow_zero=False)
    failure_reason = _failure_reason(failure_reason, status=status)
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("buyer").get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            raise StateConflict("Payments cannot be recorded on a cancelled order.", code="order_cancelled")
        currency = currency or locked.currency
        if currency != locked.currency:
            raise InvalidInput(
                f"Must be the order's currency ({locked.currency}).", code="currency_mismatch", field="currency"
            )
        unpaid = locked.total - order_paid_amount(order_id=locked.pk)
        if amount > unpaid:
            raise InvalidInput(
                f"Exceeds what is still unpaid on the order ({unpaid} {locked.currency}).",
                code="exceeds_unpaid",
                field="amount",
            )
        is_captured = status == PaymentStatus.CAPTURED
        payment = Payment.objects.create(
            order=locked,
            amount=amount,
            currency=currency,
            method=method,
            status=status,
            captured_amount=amount if is_captured else ZERO,
            captured_at=now if is_captured else None,
            reference=number_next(prefix="PAY", now=now),
            failure_reason=failure_reason,
        )
        _payment_event(payment=payment, actor=actor, from_status="", to_status=status, amount=amount)
        OrderEvent.objects.create(
            order=locked,
            kind=OrderEvent.Kind.PAYMENT_RECORDED,
            actor=actor,
            note=f"Payment {payment.reference}: {amount} {currency} by {method}, {status}",
        )
        if is_captured:
            _receipt_issue(payment=payment, order=locked, actor=actor)
        if status == PaymentStatus.FAILED:
            _payment_failed_notify(payment=payment, order=locked)
    return payment


def _failure_reason(value: str, *, status: str) -> str:
    if status != PaymentStatus.FAILED:
        if value:
            raise InvalidInput("Only a failed payment has a failure reason.", code="invalid", field="failure_reason")
        return ""
    value = value or PaymentFailureReason.OTHER
    if value not in PaymentFailureReason.values:
        raise InvalidInput(
            f"Must be one of: {', '.join(PaymentFailureReason.values)}.", code="invalid_choice", field="failure_reason"
        )
    return value


def _payment_failed_notify(*, payment: Payment, order: Order) -> None:
    why = PaymentFailureReason(payment.failure_reason or PaymentFailureReason.OTHER).label
    notify(
        recipients=[order.buyer],
        kind=Kind.PAYMENT_FAILED,
        title=f"Your payment of {payment.amount} {payment.currency} for order {order.number} failed",
        body=f"Why: {why}.\nWhat to do next: {payment.failure_next_step}",
        link=f"/orders/{order.pk}/",
    )


def payment_fail(*, payment: Payment, reason: str, actor: User, now: datetime) -> Payment:
    """A pending or authorized payment failed or was declined (``marketplace.change_payment``):
    status failed with its reason, a history row, and the buyer told at once why and what next."""
    _require_permission(actor, "marketplace.change_payment", "You may not change payments.")
    reason = _failure_reason(reason, status=PaymentStatus.FAILED)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if PaymentStatus.FAILED not in PAYMENT_TRANSITIONS.get(locked.status, set()):
            raise StateConflict(f"A {locked.status} payment cannot fail.", code="invalid_transition")
        previous = locked.status
        Payment.objects.filter(pk=locked.pk, status=previous).update(
            status=PaymentStatus.FAILED, failure_reason=reason, updated_at=now
        )
        locked.refresh_from_db()
        _payment_event(
            payment=locked,
            actor=actor,
            from_status=previous,
            to_status=PaymentStatus.FAILED,
            amount=None,
            note=PaymentFailureReason(reason).label,
        )
        order = Order.objects.select_related("buyer").get(pk=locked.order_id)
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.PAYMENT_FAILED,
            actor=actor,
            note=f"Payment {locked.reference} failed: {PaymentFailureReason(reason).label}",
        )
        _payment_failed_notify(payment=locked, order=order)
    return locked


def payment_capture(*, payment: Payment, actor: User, now: datetime) -> Payment:
    """Capture a pending or authorized payment in full (409 from any other status, or when the
    order has meanwhile been paid by other payments). Issues the receipt."""
    _require_permission(actor, "marketplace.change_payment", "You may not capture payments.")
    with transaction.atomic():
        # Lock order first, then payment: the same order as payment_record, so no deadlock.
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if PaymentStatus.CAPTURED not in PAYMENT_TRANSITIONS.get(locked.status, set()):
            raise StateConflict(f"A {locked.status} payment cannot be captured.", code="invalid_transition")
        unpaid = order.total - order_paid_amount(order_id=order.pk)
        if locked.amount > unpaid:
            raise StateConflict(
                f"Capturing would exceed what is still unpaid on the order ({unpaid} {order.currency}).",
                code="exceeds_unpaid",
            )
        previous = locked.status
        Payment.objects.filter(pk=locked.pk, status=previous).update(
            status=PaymentStatus.CAPTURED, captured_amount=locked.amount, captured_at=now, updated_at=now
        )
        locked.refresh_from_db()
        _payment_event(
            payment=locked, actor=actor, from_status=previous, to_status=PaymentStatus.CAPTURED, amount=locked.amount
        )
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.PAYMENT_RECORDED,
            actor=actor,
            note=f"Payment {locked.reference} captured: {locked.amount} {locked.currency}",
        )
        _receipt_issue(payment=locked, order=order, actor=actor)
    return locked


def refund_needs_grant(amount: Decimal) -> bool:
    """Above ``MARKETPLACE_REFUND_APPROVAL_THRESHOLD`` a refund is granted by one person and sent
    by another (``services.refunds``)."""
    return amount > settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD


def refund_issue(*, payment: Payment, amount: Decimal, reason: str, actor: User, now: datetime) -> Refund:
    """Refund part or all of a captured payment, up to ``MARKETPLACE_REFUND_APPROVAL_THRESHOLD``
    (above it: 409 ``approval_required``; ``refund_grant`` then ``refund_grant_send``).

    The payment row is locked (``SELECT ... FOR UPDATE``) before the refundable amount is read, so
    two refunds arriving together are serialized and the second sees the first; the UPDATE is also
    conditional on the refunded amount it read, and the CheckConstraint ``refunded_amount <=
    captured_amount`` is the last line. Beyond what is refundable → 400 on ``amount``; a payment
    that is not captured / partially refunded → 409."""
    _require_permission(actor, "marketplace.add_refund", "You may not issue refunds.")
    reason = clean_text(reason, field="reason", max_length=None)
    amount = _check_amount(amount, field="amount", allow_zero=False)
    if refund_needs_grant(amount):
        raise StateConflict(
            f"Refunds above {settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD} are granted by support and sent by "
            "finance: grant it first.",
            code="approval_required",
        )
    with transaction.atomic():
        return refund_apply(payment=payment, amount=amount, reason=reason, actor=actor, now=now)


def refund_reserved_amount(*, payment_id: int, excluding_grant: int | None = None) -> Decimal:
    """What open refund grants hold of a payment's refundable amount (not available to others)."""
    grants = RefundGrant.objects.filter(payment_id=payment_id, status=RefundGrantStatus.GRANTED)
    if excluding_grant is not None:
        grants = grants.exclude(pk=excluding_grant)
    total = grants.aggregate(total=Sum("amount"))["total"]
    return round_money(total) if total is not None else ZERO


def refund_apply(
    *, payment: Payment, amount: Decimal, reason: str, actor: User, now: datetime, grant_id: int | None = None
) -> Refund:
    """The refund itself, for services that already checked who may send it (``refund_issue``,
    ``refunds.refund_grant_send``); inside the caller's transaction. What open grants other than
    ``grant_id`` (the one being sent) reserve is not available to it."""
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.status not in REFUNDABLE_PAYMENT_STATUSES:
        raise StateConflict(f"A {locked.status} payment cannot be refunded.", code="not_refundable")
    reserved = refund_reserved_amount(payment_id=locked.pk, excluding_grant=grant_id)
    refundable = locked.captured_amount - locked.refunded_amount - reserved
    if amount > refundable:
        raise InvalidInput(
            f"At most {max(refundable, ZERO)} {locked.currency} can still be refunded on this payment.",
            code="exceeds_refundable",
            field="amount",
        )
    refunded = locked.refunded_amount + amount
    new_status = PaymentStatus.REFUNDED if refunded == locked.captured_amount else PaymentStatus.PARTIALLY_REFUNDED
    try:
        with transaction.atomic():
            updated = Payment.objects.filter(pk=locked.pk, refunded_amount=locked.refunded_amount).update(
                refunded_amount=F("refunded_amount") + amount, status=new_status, updated_at=now
            )
    except IntegrityError as error:  # the CheckConstraint: only reachable without the row lock
        raise InvalidInput(
            "Exceeds what can still be refunded on this payment.", code="exceeds_refundable", field="amount"
        ) from error
    if updated != 1:  # pragma: no cover - another refund slipped in where row locks do not exist
        raise StateConflict("The payment changed meanwhile; try again.", code="concurrent_update")
    refund = Refund.objects.create(payment=locked, amount=amount, reason=reason, created_by=actor)
    # Whichever way it was sent (at once, or a grant sent by finance, or from a ticket): one event.
    webhook_event_record(event_type=EventType.REFUND_ISSUED, resource_id=refund.pk, now=now)
    _payment_event(
        payment=locked, actor=actor, from_status=locked.status, to_status=new_status, amount=amount, note=reason
    )
    order = Order.objects.select_related("buyer").get(pk=locked.order_id)
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.REFUND_ISSUED,
        actor=actor,
        note=f"Refund of {amount} {locked.currency} on payment {locked.reference}: {reason}",
    )
    low, high = settings.MARKETPLACE_REFUND_STATEMENT_WORKING_DAYS
    notify(
        recipients=[order.buyer],
        kind=Kind.REFUND_ISSUED,
        title=f"Refund of {amount} {locked.currency} on order {order.number}",
        body=f"We refunded {amount} {locked.currency} of payment {locked.reference} on order {order.number}.\n"
        f"Reason: {reason}\nIt is usually on your statement in {low}-{high} working days.",
        link=f"/orders/{order.pk}/",
    )
    return refund


# --- Receipts ---------------------------------------------------------------------------------


def _receipt_issue(*, payment: Payment, order: Order, actor: User | None) -> Receipt:
    """Issue the receipt of a just-captured payment and send it to the buyer (after commit)."""
    buyer = order.buyer
    receipt = Receipt.objects.create(
        payment=payment,
        number=number_next(prefix="RCT", now=payment.captured_at or payment.created_at),
        amount=payment.captured_amount,
        currency=payment.currency,
        email=buyer.email,
    )
    if buyer.email:
        _receipt_delivery_create(receipt=receipt, email=buyer.email, is_resend=False, actor=actor)
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.RECEIPT_SENT,
        actor=actor,
        note=f"Receipt {receipt.number} sent to {buyer.email}" if buyer.email else f"Receipt {receipt.number} issued",
    )
    # The receipt email itself is the buyer's email; the notification is the in-app copy only.
    notify(
        recipients=[buyer],
        kind=Kind.RECEIPT_SENT,
        title=f"Receipt {receipt.number} for order {order.number}",
        body=f"Receipt {receipt.number}: {receipt.amount} {receipt.currency} paid on order {order.number}.",
        send_email=False,
    )
    return receipt


def _receipt_delivery_create(*, receipt: Receipt, email: str, is_resend: bool, actor: User | None) -> ReceiptDelivery:
    delivery = ReceiptDelivery.objects.create(receipt=receipt, email=email, is_resend=is_resend, requested_by=actor)
    # robust: a mail server that is down must not turn a committed payment into an error response.
    transaction.on_commit(partial(receipt_delivery_send, delivery_id=delivery.pk), robust=True)
    return delivery


def receipt_resend(*, receipt: Receipt, actor: User, now: datetime, email: str | None = None) -> ReceiptDelivery:
    """Send a receipt again. Staff with ``marketplace.resend_receipt`` may send it anywhere
    (default: the buyer's account address); the order's buyer may send it to their own account
    address only; anyone else is refused (403). Each send is logged as a ``ReceiptDelivery``."""
    receipt = Receipt.objects.select_related("payment__order__buyer").get(pk=receipt.pk)
    order = receipt.payment.order
    buyer = order.buyer
    requested = (email or "").strip()
    if requested:
        try:
            validate_email(requested)
        except ValidationError as error:
            raise InvalidInput("Enter a valid email address.", code="invalid", field="email") from error
    if user_has_permission(actor, "marketplace.resend_receipt"):
        target = requested or buyer.email
    elif actor.pk == buyer.pk:
        if requested and requested.lower() != buyer.email.lower():
            raise Forbidden("You may only send your receipt to your account's email address.", code="permission_denied")
        target = buyer.email
    else:
        raise Forbidden("You may not resend this receipt.", code="permission_denied")
    if not target:
        raise InvalidInput("The buyer has no email address; give one.", code="required", field="email")
    with transaction.atomic():
        delivery = _receipt_delivery_create(receipt=receipt, email=target, is_resend=True, actor=actor)
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.RECEIPT_SENT,
            actor=actor,
            note=f"Receipt {receipt.number} resent to {target}",
        )
    return delivery


def receipt_reissue(*, receipt: Receipt, actor: User, reason: str, now: datetime, email: str | None = None) -> Receipt:
    """Reissue an incorrect receipt (``marketplace.resend_receipt``): a new number, the payment's
    captured amount and the right address (``email``, default the buyer's), sent there at once. What
    it said before is kept as a ``ReceiptRevision`` with the reason; the send is a logged delivery."""
    _require_permission(actor, "marketplace.resend_receipt", "You may not reissue receipts.")
    reason = clean_text(reason, field="reason", max_length=None)
    requested = (email or "").strip()
    if requested:
        try:
            validate_email(requested)
        except ValidationError as error:
            raise InvalidInput("Enter a valid email address.", code="invalid", field="email") from error
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        payment = Payment.objects.get(pk=locked.payment_id)
        order = Order.objects.select_related("buyer").get(pk=payment.order_id)
        target = requested or order.buyer.email
        if not target:
            raise InvalidInput("The buyer has no email address; give one.", code="required", field="email")
        if payment.status not in (*REFUNDABLE_PAYMENT_STATUSES, PaymentStatus.REFUNDED):
            raise StateConflict(f"A {payment.status} payment has no receipt to reissue.", code="not_captured")
        ReceiptRevision.objects.create(
            receipt=locked,
            number=locked.number,
            amount=locked.amount,
            email=locked.email,
            reason=reason,
            actor=actor,
            created_at=now,
        )
        old_number = locked.number
        locked.number = number_next(prefix="RCT", now=now)
        locked.amount = payment.captured_amount
        locked.email = target
        locked.save(update_fields=["number", "amount", "email"])
        _receipt_delivery_create(receipt=locked, email=target, is_resend=True, actor=actor)
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.RECEIPT_REISSUED,
            actor=actor,
            note=f"Receipt {old_number} reissued as {locked.number}, sent to {target}: {reason}",
        )
        notify(
            recipients=[order.buyer],
            kind=Kind.RECEIPT_SENT,
            title=f"Corrected receipt {locked.number} for order {order.number}",
            body=f"Receipt {old_number} was corrected and reissued as {locked.number} "
            f"({locked.amount} {locked.currency}), sent to {target}. Why: {reason}",
            link=f"/orders/{order.pk}/",
            send_email=False,
        )
    return locked


def receipt_email_message(*, delivery: ReceiptDelivery) -> EmailMessage:
    receipt = delivery.receipt
    payment = receipt.payment
    order = payment.order
    paid_at = payment.captured_at or receipt.created_at
    body = "\n".join(
        [
            f"Receipt {receipt.number}",
            f"Order: {order.number}",
            f"Amount: {receipt.amount} {receipt.currency}",
            f"Payment method: {payment.get_method_display()}",
            f"Payment reference: {payment.reference}",
            f"Date: {paid_at:%Y-%m-%d %H:%M} UTC",
            "",
            "Thank you for your purchase.",
            "— SayPro Interaction Desk",
        ]
    )
    return EmailMessage(
        subject=f"[SayPro] Receipt {receipt.number} for order {order.number}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
    )


def receipt_delivery_send(*, delivery_id: int) -> bool:
    """Send one logged delivery through Django's mail backend. Runs after commit; a transport error
    is logged (the delivery row stays as the record of the request) and reported as False."""
    delivery = ReceiptDelivery.objects.select_related("receipt__payment__order").filter(pk=delivery_id).first()
    if delivery is None:
        return False
    try:
        receipt_email_message(delivery=delivery).send()
    except Exception:
        logger.exception("Sending receipt delivery %s failed", delivery_id)
        return False
    return True
