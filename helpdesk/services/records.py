"""Ticket actions that change the real records, each one transaction: the marketplace service
that changes the record (it checks its own permission: reissuing invoices and refunding are
finance's), then the ticket's log entry the customer sees and the ticket's answer.

- ``ticket_order_status_answer``: the answer to "where is my order?", marketplace's own
  (``order_status_answer_text``: the order and its latest shipment's tracking events), sent as
  the ticket's reply;
- ``ticket_invoice_reissue``: a corrected invoice version (``marketplace`` ``invoice_reissue``);
- ``ticket_receipt_verify``: the receipt checked against its payment and buyer
  (``receipt_verification``), the findings logged for staff;
- ``ticket_receipt_resend``: the payment's receipt sent again (``receipt_resend``);
- ``ticket_receipt_reissue``: an incorrect receipt reissued (``receipt_reissue``);
- ``ticket_refund``: an overcharge or duplicate charge refunded (``refund_difference``): exactly
  the difference; above ``MARKETPLACE_REFUND_APPROVAL_THRESHOLD`` it is granted, and
- ``ticket_refund_send``: finance sends the granted refund (``refund_grant_send``; someone other
  than who granted it), and the customer is told.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import User
from core.exceptions import InvalidInput, StateConflict
from helpdesk.models import Interaction, Ticket, TicketStatus
from helpdesk.services.tickets import lock_ticket, log_action, require_worker, ticket_interaction_add
from marketplace.models import Invoice, Order, Payment, Receipt, Refund, RefundGrant, RefundGrantStatus
from marketplace.selectors.billing import ReceiptCheck, receipt_verification
from marketplace.selectors.orders import order_status_answer_text
from marketplace.services.billing import invoice_reissue, receipt_reissue, receipt_resend
from marketplace.services.refunds import RefundOutcome, refund_difference, refund_grant_send

CLOSED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def _open_locked(ticket: Ticket, actor: User) -> Ticket:
    require_worker(actor)
    locked = lock_ticket(ticket)
    if locked.status in CLOSED:
        raise StateConflict(f"This ticket is {locked.get_status_display().lower()}.", code=f"ticket_{locked.status}")
    return locked


def _record(locked: Ticket, name: str) -> Any:
    record = getattr(locked, name)
    if record is None:
        raise StateConflict(
            f"This ticket is not about {'an' if name[0] in 'aeiou' else 'a'} {name}.", code=f"no_{name}"
        )
    return record


def ticket_order_status_answer(*, ticket: Ticket, actor: User, now: datetime) -> Interaction:
    """Send the order's status, built from its records, as the ticket's reply (one click)."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        order: Order = _record(locked, "order")
        return ticket_interaction_add(
            ticket=locked, actor=actor, kind="message", body=order_status_answer_text(order=order, now=now), now=now
        )


def ticket_invoice_reissue(
    *,
    ticket: Ticket,
    actor: User,
    reason: Any,
    now: datetime,
    tax: Decimal | None = None,
    discount: Decimal | None = None,
    shipping_fee: Decimal | None = None,
) -> Invoice:
    """A corrected version of the ticket's invoice (the current version of its number), with the
    explanation; the customer is told (the invoice notice, and the ticket's log)."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        invoice: Invoice = _record(locked, "invoice")
        current = Invoice.objects.filter(order_id=invoice.order_id, number=invoice.number, status="issued").first()
        new = invoice_reissue(
            invoice=current or invoice,
            actor=actor,
            reason=reason,
            now=now,
            tax=tax,
            discount=discount,
            shipping_fee=shipping_fee,
        )
        log_action(
            locked,
            action="invoice_reissued",
            actor=actor,
            now=now,
            body=f"Corrected invoice {new.number} version {new.version} issued: {new.reason}. "
            f"New total {new.total} {new.currency}.",
            invoice=new.pk,
            supersedes=new.supersedes_id,
        )
    return new


def _receipt(payment: Payment) -> Receipt:
    receipt = Receipt.objects.filter(payment=payment).first()
    if receipt is None:
        raise StateConflict("This payment has no receipt yet (it was not captured).", code="no_receipt")
    return receipt


def ticket_receipt_verify(*, ticket: Ticket, actor: User, now: datetime) -> ReceiptCheck:
    """Check the ticket's payment's receipt (taken, the captured amount, sent to the buyer's
    address); the findings are an internal entry on the ticket."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        receipt = _receipt(_record(locked, "payment"))
        check = receipt_verification(receipt=receipt)
        found = "it is correct." if check.is_correct else " ".join(check.problems)
        log_action(
            locked,
            action="receipt_verified",
            actor=actor,
            now=now,
            body=f"Receipt {receipt.number} checked: {found}",
            internal=True,
            receipt=receipt.pk,
            correct=check.is_correct,
            problems=check.problems,
        )
    return check


def ticket_receipt_resend(*, ticket: Ticket, actor: User, now: datetime, email: str | None = None) -> Any:
    """Send the ticket's payment's receipt again (to ``email``, default the customer's address)."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        receipt = _receipt(_record(locked, "payment"))
        delivery = receipt_resend(receipt=receipt, actor=actor, now=now, email=email)
        log_action(
            locked,
            action="receipt_resent",
            actor=actor,
            now=now,
            body=f"Receipt {receipt.number} sent again to {delivery.email}.",
            receipt=receipt.pk,
            delivery=delivery.pk,
        )
    return delivery


def ticket_receipt_reissue(
    *, ticket: Ticket, actor: User, reason: Any, now: datetime, email: str | None = None
) -> Receipt:
    """Reissue the ticket's payment's incorrect receipt (a new number, the captured amount), sent
    to ``email`` (default the customer's address)."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        receipt = _receipt(_record(locked, "payment"))
        old_number = receipt.number
        new = receipt_reissue(receipt=receipt, actor=actor, reason=reason, now=now, email=email)
        log_action(
            locked,
            action="receipt_reissued",
            actor=actor,
            now=now,
            body=f"Receipt {old_number} corrected and reissued as {new.number} ({new.amount} {new.currency}), "
            f"sent to {new.email}.",
            receipt=new.pk,
        )
    return new


def _statement_days() -> str:
    low, high = settings.MARKETPLACE_REFUND_STATEMENT_WORKING_DAYS
    return f"usually on your statement in {low} to {high} working days."


def ticket_refund(
    *,
    ticket: Ticket,
    actor: User,
    reason: Any,
    now: datetime,
    kind: str | None = None,
    amount: Decimal | None = None,
) -> RefundOutcome:
    """Refund exactly what the ticket's order was overpaid (``kind``: overcharge or duplicate
    charge, by default the ticket's subcategory) from the ticket's payment. ``amount``, when given,
    must be that difference. Up to the approval threshold finance refunds it at once; above it
    (or from support) it is granted and waits for finance (``ticket_refund_send``)."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        payment: Payment = _record(locked, "payment")
        outcome = refund_difference(
            payment=payment,
            kind=kind or locked.subcategory,
            reason=reason,
            actor=actor,
            now=now,
            amount=amount,
        )
        money = f"{outcome.amount} {payment.currency}"
        record: dict[str, Any]
        if outcome.refund is not None:
            action, body, record = "refund_issued", f"issued: {_statement_days()}", {"refund": outcome.refund.pk}
        else:  # refund_difference either refunds or grants
            action, body = "refund_granted", "granted, waiting for finance to send it."
            record = {"grant": outcome.grant.pk if outcome.grant else None}
        log_action(
            locked, action=action, actor=actor, now=now, body=f"Refund of {money} {body}", payment=payment.pk, **record
        )
    return outcome


def ticket_refund_grants(*, ticket: Ticket) -> list[RefundGrant]:
    """The refunds granted on the ticket's payment that finance has not sent yet."""
    if ticket.payment_id is None:
        return []
    return list(
        RefundGrant.objects.filter(payment_id=ticket.payment_id, status=RefundGrantStatus.GRANTED).order_by(
            "created_at", "id"
        )
    )


def ticket_refund_send(*, ticket: Ticket, actor: User, now: datetime, grant: RefundGrant | None = None) -> Refund:
    """Finance sends a refund granted on the ticket's payment (``grant``; by default the only one
    waiting): someone other than who granted it (403 ``four_eyes``). The customer is told."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        payment: Payment = _record(locked, "payment")
        if grant is None:
            waiting = ticket_refund_grants(ticket=locked)
            if len(waiting) != 1:
                raise StateConflict(
                    "No refund is waiting for finance on this payment."
                    if not waiting
                    else "Several refunds are waiting: choose one.",
                    code="no_grant" if not waiting else "grant_required",
                )
            grant = waiting[0]
        elif grant.payment_id != payment.pk:
            raise InvalidInput("This refund is not on the ticket's payment.", code="invalid", field="grant")
        refund = refund_grant_send(grant=grant, actor=actor, now=now)
        log_action(
            locked,
            action="refund_sent",
            actor=actor,
            now=now,
            body=f"Refund of {refund.amount} {payment.currency} sent: {_statement_days()}",
            refund=refund.pk,
            grant=grant.pk,
            payment=payment.pk,
        )
    return refund
