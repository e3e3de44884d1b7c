"""Refunds that take two people, and the refund of exactly what was overcharged.

- ``refund_grant``: support (``marketplace.grant_refund``) grants a refund; nothing moves yet. The
  amount is reserved: grants still open on a payment never add up to more than it can refund.
- ``refund_grant_send``: finance (``marketplace.add_refund``) sends it: the refund itself
  (``billing.refund_apply``). Whoever granted it may not send it (403 ``four_eyes``; the
  ``marketplace_refund_grant_two_people`` CheckConstraint backs the rule in the database).
- ``refund_difference``: for an overcharge or a duplicate charge, exactly what the order was paid
  beyond what it owes (the current invoice's total, else the order's): net paid - due, never more
  than the payment can still refund (400 beyond). Up to the threshold a person who may refund
  refunds it at once; above it, or when the caller may only grant, it becomes a grant.

Each is one transaction under the payment's row lock, with history rows (``PaymentEvent``,
``OrderEvent``) and the buyer's notice.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from accounts.selectors.users import user_has_permission
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.text import clean_text
from marketplace.models import (
    REFUNDABLE_PAYMENT_STATUSES,
    Invoice,
    InvoiceStatus,
    Order,
    OrderEvent,
    Payment,
    Refund,
    RefundGrant,
    RefundGrantStatus,
)
from marketplace.notices import Kind
from marketplace.services.billing import (
    ZERO,
    _check_amount,
    _payment_event,
    order_paid_amount,
    refund_apply,
    refund_needs_grant,
    refund_reserved_amount,
)
from notifications.services.notify import notify

GRANT_PERMISSION = "marketplace.grant_refund"
SEND_PERMISSION = "marketplace.add_refund"


class DifferenceKind:
    OVERCHARGE = "overcharge"
    DUPLICATE = "duplicate_charge"
    CHOICES = (OVERCHARGE, DUPLICATE)


@dataclass(frozen=True)
class RefundOutcome:
    """What ``refund_difference`` did: refunded at once (``refund``) or granted (``grant``)."""

    amount: Decimal
    refund: Refund | None = None
    grant: RefundGrant | None = None


def order_amount_due(*, order_id: int) -> Decimal:
    """What the order owes: the current invoice's total (a correction may have lowered it), else the
    order's total."""
    invoice_total = (
        Invoice.objects.filter(order_id=order_id, status=InvoiceStatus.ISSUED).values_list("total", flat=True).first()
    )
    if invoice_total is not None:
        return invoice_total
    return Order.objects.values_list("total", flat=True).get(pk=order_id)


def order_overpaid_amount(*, order_id: int) -> Decimal:
    """Net paid (captured - refunded over every payment) beyond what is due; zero when not overpaid."""
    return max(order_paid_amount(order_id=order_id) - order_amount_due(order_id=order_id), ZERO)


def refund_grant(*, payment: Payment, amount: Decimal, reason: str, actor: User, now: datetime) -> RefundGrant:
    """Grant a refund for finance to send. 400 beyond what the payment can still refund (net of
    other open grants), 409 on a payment that cannot be refunded."""
    if not user_has_permission(actor, GRANT_PERMISSION):
        raise Forbidden("You may not grant refunds.", code="permission_denied")
    reason = clean_text(reason, field="reason", max_length=None)
    amount = _check_amount(amount, field="amount", allow_zero=False)
    with transaction.atomic():
        return _grant(payment=payment, amount=amount, reason=reason, actor=actor, now=now)


def _grant(*, payment: Payment, amount: Decimal, reason: str, actor: User, now: datetime) -> RefundGrant:
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.status not in REFUNDABLE_PAYMENT_STATUSES:
        raise StateConflict(f"A {locked.status} payment cannot be refunded.", code="not_refundable")
    available = locked.captured_amount - locked.refunded_amount - refund_reserved_amount(payment_id=locked.pk)
    if amount > available:
        raise InvalidInput(
            f"At most {max(available, ZERO)} {locked.currency} can still be refunded on this payment.",
            code="exceeds_refundable",
            field="amount",
        )
    grant = RefundGrant.objects.create(payment=locked, amount=amount, reason=reason, granted_by=actor, created_at=now)
    _payment_event(
        payment=locked,
        actor=actor,
        from_status=locked.status,
        to_status=locked.status,
        amount=amount,
        note=f"Refund granted, waiting for finance: {reason}",
    )
    order = Order.objects.select_related("buyer").get(pk=locked.order_id)
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.REFUND_GRANTED,
        actor=actor,
        note=f"Refund of {amount} {locked.currency} on payment {locked.reference} granted: {reason}",
    )
    notify(
        recipients=[order.buyer],
        kind=Kind.REFUND_GRANTED,
        title=f"Refund of {amount} {locked.currency} approved for order {order.number}",
        body=f"We approved a refund of {amount} {locked.currency} on order {order.number}: {reason}\n"
        "Our finance team sends it next; we will tell you when it is on its way.",
        link=f"/orders/{order.pk}/",
    )
    return grant


def refund_grant_send(*, grant: RefundGrant, actor: User, now: datetime) -> Refund:
    """Send a granted refund (finance). 403 for whoever granted it (two different people), 409 when
    it was already sent or withdrawn (of two finance users sending at once, one sends)."""
    if not user_has_permission(actor, SEND_PERMISSION):
        raise Forbidden("You may not send refunds.", code="permission_denied")
    with transaction.atomic():
        # Payment first, then grant: the order refund_grant and refund_apply lock in, so no deadlock.
        Payment.objects.select_for_update().filter(pk=grant.payment_id).first()
        locked = RefundGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.status != RefundGrantStatus.GRANTED:
            raise StateConflict(f"This refund is already {locked.status}.", code="grant_closed")
        if locked.granted_by_id == actor.pk:
            raise Forbidden("A refund must be sent by someone other than who granted it.", code="four_eyes")
        refund = refund_apply(
            payment=locked.payment,
            amount=locked.amount,
            reason=locked.reason,
            actor=actor,
            now=now,
            grant_id=locked.pk,
        )
        RefundGrant.objects.filter(pk=locked.pk, status=RefundGrantStatus.GRANTED).update(
            status=RefundGrantStatus.SENT, sent_by=actor, sent_at=now, refund=refund
        )
    return refund


def refund_grant_withdraw(*, grant: RefundGrant, actor: User, reason: str, now: datetime) -> RefundGrant:
    """Withdraw a grant not yet sent (support or finance); frees what it reserved."""
    if not (user_has_permission(actor, GRANT_PERMISSION) or user_has_permission(actor, SEND_PERMISSION)):
        raise Forbidden("You may not withdraw refunds.", code="permission_denied")
    reason = clean_text(reason, field="reason", max_length=None)
    with transaction.atomic():
        locked = RefundGrant.objects.select_for_update().select_related("payment").get(pk=grant.pk)
        if locked.status != RefundGrantStatus.GRANTED:
            raise StateConflict(f"This refund is already {locked.status}.", code="grant_closed")
        RefundGrant.objects.filter(pk=locked.pk).update(status=RefundGrantStatus.WITHDRAWN)
        _payment_event(
            payment=locked.payment,
            actor=actor,
            from_status=locked.payment.status,
            to_status=locked.payment.status,
            amount=locked.amount,
            note=f"Refund grant withdrawn: {reason}",
        )
        locked.refresh_from_db()
    return locked


def refund_difference(
    *,
    payment: Payment,
    kind: str,
    reason: str,
    actor: User,
    now: datetime,
    amount: Decimal | None = None,
) -> RefundOutcome:
    """Refund exactly what the order was overpaid (``kind``: overcharge or duplicate charge) from
    ``payment``. ``amount``, when given, must be that difference (400 naming it otherwise): a
    check that the agent refunds what they think they refund. Nothing overpaid: 409."""
    if kind not in DifferenceKind.CHOICES:
        raise InvalidInput(f"Must be one of: {', '.join(DifferenceKind.CHOICES)}.", code="invalid_choice", field="kind")
    may_send = user_has_permission(actor, SEND_PERMISSION)
    may_grant = user_has_permission(actor, GRANT_PERMISSION)
    if not (may_send or may_grant):
        raise Forbidden("You may not refund payments.", code="permission_denied")
    reason = clean_text(reason, field="reason", max_length=None)
    label = "Duplicate charge" if kind == DifferenceKind.DUPLICATE else "Overcharge"
    with transaction.atomic():
        # The order's payments are read under the order's lock: two difference refunds at once
        # cannot both refund the same overpayment.
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        difference = order_overpaid_amount(order_id=order.pk)
        if difference <= ZERO:
            raise StateConflict("This order is not overpaid: there is no difference to refund.", code="not_overpaid")
        if amount is not None and _check_amount(amount, field="amount", allow_zero=False) != difference:
            raise InvalidInput(
                f"The difference is {difference} {order.currency}; only exactly that is refunded.",
                code="not_the_difference",
                field="amount",
            )
        full_reason = f"{label}: {reason}"
        if may_send and not refund_needs_grant(difference):
            refund = refund_apply(
                payment=payment,
                amount=difference,
                reason=full_reason,
                actor=actor,
                now=now,
            )
            return RefundOutcome(amount=difference, refund=refund)
        if not may_grant:
            raise StateConflict(
                "This refund is above the approval threshold: support grants it first.", code="approval_required"
            )
        grant = _grant(payment=payment, amount=difference, reason=full_reason, actor=actor, now=now)
        return RefundOutcome(amount=difference, grant=grant)
