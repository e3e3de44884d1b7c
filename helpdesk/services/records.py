"""Ticket actions that change the real records, each one transaction: the marketplace service
that changes the record (it checks its own permission: reissuing invoices and refunding are
finance's), then the ticket's log entry the customer sees and the ticket's answer.

- ``ticket_order_status_answer``: the answer to "where is my order?", built from the order and
  its latest shipment's tracking events, sent as the ticket's reply;
- ``ticket_invoice_reissue``: a corrected invoice version (``marketplace`` ``invoice_reissue``);
- ``ticket_receipt_resend``: the payment's receipt sent again (``receipt_resend``);
- ``ticket_refund``: a refund on the ticket's payment (``refund_issue``: never more than captured
  minus refunded).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import User
from core.exceptions import StateConflict
from helpdesk.models import Interaction, Ticket, TicketStatus
from helpdesk.services.tickets import lock_ticket, log_action, require_worker, ticket_interaction_add
from marketplace.models import Invoice, Order, Receipt, Refund
from marketplace.selectors.orders import order_latest_shipment
from marketplace.services.billing import invoice_reissue, receipt_resend, refund_issue

CLOSED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def order_status_text(*, order: Order) -> str:
    """ "Where is my order?" answered from the order and its latest shipment."""
    lines = [f"Your order {order.number} is {order.get_status_display().lower()}."]
    shipment = order_latest_shipment(order=order)
    if shipment is not None:
        lines.append(f"It travels with {shipment.carrier}, tracking number {shipment.tracking_number}.")
        if shipment.delivered_at is not None:
            lines.append(f"It was delivered on {shipment.delivered_at:%d %b %Y}.")
        elif shipment.expected_delivery is not None:
            lines.append(f"Expected delivery: {shipment.expected_delivery:%d %b %Y}.")
        events = list(shipment.events.all())
        if events:
            last = events[-1]
            where = f" ({last.location})" if last.location else ""
            lines.append(
                f"Latest update, {last.occurred_at:%d %b %Y %H:%M} UTC: {last.description or last.status}{where}."
            )
    elif order.status in ("pending", "processing"):
        lines.append("It has not shipped yet; you will get the tracking number as soon as it does.")
    return " ".join(lines)


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
            ticket=locked, actor=actor, kind="message", body=order_status_text(order=order), now=now
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


def ticket_receipt_resend(*, ticket: Ticket, actor: User, now: datetime, email: str | None = None) -> Any:
    """Send the ticket's payment's receipt again (to ``email``, default the customer's address)."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        payment = _record(locked, "payment")
        receipt = Receipt.objects.filter(payment=payment).first()
        if receipt is None:
            raise StateConflict("This payment has no receipt yet (it was not captured).", code="no_receipt")
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


def ticket_refund(*, ticket: Ticket, actor: User, amount: Decimal, reason: Any, now: datetime) -> Refund:
    """Refund ``amount`` of the ticket's payment (an overcharge, a duplicate charge)."""
    with transaction.atomic():
        locked = _open_locked(ticket, actor)
        payment = _record(locked, "payment")
        refund = refund_issue(payment=payment, amount=amount, reason=reason, actor=actor, now=now)
        log_action(
            locked,
            action="refund_issued",
            actor=actor,
            now=now,
            body=f"Refund of {refund.amount} {payment.currency} issued: "
            "usually on your statement in 3 to 5 working days.",
            refund=refund.pk,
            payment=payment.pk,
        )
    return refund
