"""The demo help desk ``seed_demo`` replays through the ticket services: the staff's reply macros,
and the demo buyers' tickets in every state (new, open, waiting on the customer, escalated to a
department, resolved, closed, and one past its target for the sweep), with the interaction log a
newcomer reads in the console and on ``/support/``. Nothing is mailed."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from accounts.models import User
from helpdesk.models import Macro, Ticket
from helpdesk.services.sweep import helpdesk_sweep
from helpdesk.services.tickets import (
    ticket_assign,
    ticket_close,
    ticket_escalate,
    ticket_follow_up,
    ticket_interaction_add,
    ticket_open,
    ticket_resolve,
)
from marketplace.models import Invoice, Order, Payment, PaymentStatus
from notifications.services.bulk import emails_suppressed

MACROS = [
    (
        "Order on its way",
        "order_status",
        "Hi {customer_name}, your order {order_number} from {seller_name} is on its way.",
    ),
    ("Invoice corrected", "invoice", "Hi {customer_name}, we have corrected the invoice of order {order_number}."),
    ("Receipt resent", "receipt", "Hi {customer_name}, we sent the receipt of order {order_number} again."),
    ("Refund issued", "payment", "Hi {customer_name}, the refund for order {order_number} is on its way to you."),
    ("Need more details", "", "Hi {customer_name}, could you tell us a little more so that we can help?"),
]


def _first(queryset: Any) -> Any:
    return queryset.order_by("-id").first()


def build_demo_tickets(*, now: datetime) -> dict[str, int]:
    """Replay the demo tickets at their moments in the past; returns what was made."""
    for title, category, body in MACROS:
        Macro.objects.get_or_create(title=title, defaults={"category": category, "body": body})
    buyer = User.objects.filter(username="buyer").first()
    buyer2 = User.objects.filter(username="buyer2").first()
    support = User.objects.filter(username="support").first()
    finance = User.objects.filter(username="finance").first()
    if not (buyer and buyer2 and support and finance):
        return {"tickets": 0, "macros": Macro.objects.count()}
    steps: list[tuple[datetime, Callable[[], object]]] = []
    made: dict[str, Ticket] = {}
    hour = timedelta(hours=1)

    def opened(key: str, at: datetime, **fields: Any) -> None:
        def run() -> None:
            made[key] = ticket_open(now=at, **fields)

        steps.append((at, run))

    def then(at: datetime, run: Callable[[Ticket], object], key: str) -> None:
        steps.append((at, lambda: run(made[key])))

    orders = Order.objects.filter(buyer=buyer)
    order = _first(orders)
    invoice = _first(Invoice.objects.filter(order__buyer=buyer, status="issued"))
    captured = Payment.objects.filter(order__buyer=buyer, status=PaymentStatus.CAPTURED)
    payment = _first(captured)
    other_payment = (_first(captured.exclude(pk=payment.pk)) if payment is not None else None) or payment
    order2 = _first(Order.objects.filter(buyer=buyer2))

    if order is not None:
        opened(
            "new",
            now - 2 * hour,
            customer=buyer,
            category="order_status",
            subject="Where is my parcel?",
            body="The tracking has not moved for three days. When will it arrive?",
            order=order,
        )
    if invoice is not None:
        opened(
            "open",
            now - 26 * hour,
            customer=buyer,
            category="invoice",
            subcategory="tax",
            subject="VAT charged twice on my invoice",
            body="The invoice shows the VAT line twice; please correct it.",
            invoice=invoice,
        )
        then(
            now - 20 * hour,
            lambda t: ticket_interaction_add(
                ticket=t,
                actor=support,
                kind="note",
                body="Checked: the tax line is duplicated in version 1.",
                now=now - 20 * hour,
            ),
            "open",
        )
        then(
            now - 19 * hour,
            lambda t: ticket_interaction_add(
                ticket=t,
                actor=support,
                kind="message",
                body="Thank you, we see the doubled VAT line and are preparing a corrected invoice.",
                now=now - 19 * hour,
            ),
            "open",
        )
        then(
            now - 19 * hour,
            lambda t: ticket_follow_up(
                ticket=t,
                actor=support,
                due_at=now + 3 * hour,
                note="Check that billing sent the corrected invoice.",
                now=now - 19 * hour,
            ),
            "open",
        )
    if payment is not None:
        opened(
            "pending",
            now - 30 * hour,
            customer=buyer,
            category="receipt",
            subcategory="receipt_missing",
            subject="No receipt received",
            body="I paid but never got a receipt by email.",
            payment=payment,
        )
        then(
            now - 28 * hour,
            lambda t: ticket_interaction_add(
                ticket=t,
                actor=support,
                kind="message",
                body="Which email address should we send the receipt to?",
                wait_for_customer=True,
                now=now - 28 * hour,
            ),
            "pending",
        )
        opened(
            "escalated",
            now - 6 * hour,
            customer=buyer,
            category="payment",
            subcategory="duplicate_charge",
            subject="I was charged twice",
            body="My card statement shows two identical charges for one order.",
            payment=other_payment,
        )
        then(now - 5 * hour, lambda t: ticket_assign(ticket=t, actor=support, now=now - 5 * hour), "escalated")
        then(
            now - 5 * hour,
            lambda t: ticket_escalate(
                ticket=t,
                actor=support,
                department="finance",
                reason="Duplicate capture at the payment provider: refund the difference.",
                now=now - 5 * hour,
            ),
            "escalated",
        )
        opened(
            "breaching",
            now - 30 * hour,
            customer=buyer,
            category="payment",
            subcategory="payment_failed",
            subject="Payment failed but money left my account",
            body="The checkout said the payment failed, yet my bank shows it as pending.",
            payment=payment,
        )
    if order2 is not None:
        opened(
            "resolved",
            now - 4 * 24 * hour,
            customer=buyer2,
            category="order_status",
            subject="Order not delivered",
            body="The expected delivery date has passed.",
            order=order2,
        )
        then(
            now - 3 * 24 * hour,
            lambda t: ticket_interaction_add(
                ticket=t,
                actor=support,
                kind="call",
                body="Called the customer: the parcel was left with a neighbour.",
                now=now - 3 * 24 * hour,
            ),
            "resolved",
        )
        then(
            now - 3 * 24 * hour + hour,
            lambda t: ticket_resolve(
                ticket=t,
                actor=support,
                resolution="The parcel was delivered to your neighbour at number 12.",
                now=now - 3 * 24 * hour + hour,
            ),
            "resolved",
        )
        opened(
            "closed",
            now - 20 * 24 * hour,
            customer=buyer2,
            category="other",
            subject="How do I change my address?",
            body="I moved; how do I update my delivery address?",
        )
        then(
            now - 19 * 24 * hour,
            lambda t: ticket_resolve(
                ticket=t,
                actor=support,
                resolution="Update it under your account settings before your next order.",
                now=now - 19 * 24 * hour,
            ),
            "closed",
        )
        then(
            now - 10 * 24 * hour,
            lambda t: ticket_close(
                ticket=t, actor=support, note="Closed after the reopen window.", now=now - 10 * 24 * hour
            ),
            "closed",
        )

    with emails_suppressed():
        for _, run in sorted(steps, key=lambda step: step[0]):
            run()
        helpdesk_sweep(now=now)  # the breaching ticket is escalated, the open one warned if due
    return {"tickets": len(made), "macros": Macro.objects.count()}
