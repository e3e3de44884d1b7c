"""The marketplace's part of a customer's console timeline (``core.timeline``): their orders,
payments and refunds, newest first, one statement each with a ``LIMIT`` (orders through the
buyer's ``(buyer, -placed_at)`` index; payments and refunds through the buyer's orders)."""

from datetime import datetime

from django.db.models import QuerySet

from core.timeline import TimelineEntry, console_url
from marketplace.models import Order, Payment, Refund


def _older(queryset: QuerySet, field: str, before: datetime | None) -> QuerySet:
    return queryset.filter(**{f"{field}__lt": before}) if before is not None else queryset


def customer_entries(user_id: int, *, limit: int, before: datetime | None) -> list[TimelineEntry]:
    orders = _older(Order.objects.filter(buyer_id=user_id), "placed_at", before).select_related("seller")
    payments = _older(Payment.objects.filter(order__buyer_id=user_id), "created_at", before).select_related("order")
    refunds = _older(Refund.objects.filter(payment__order__buyer_id=user_id), "created_at", before).select_related(
        "payment__order"
    )
    entries = [
        TimelineEntry(
            at=order.placed_at,
            kind="order",
            title=f"Order {order.number} at {order.seller.name}",
            summary=f"{order.total} {order.currency}",
            url=console_url(Order, order.pk),
            app="marketplace",
            status=order.get_status_display(),
        )
        for order in orders.order_by("-placed_at", "-id")[:limit]
    ]
    for payment in payments.order_by("-created_at", "-id")[:limit]:
        summary = f"{payment.amount} {payment.currency} by {payment.get_method_display().lower()}"
        if payment.failure_reason:
            summary += f": {payment.get_failure_reason_display().lower()}"
        entries.append(
            TimelineEntry(
                at=payment.created_at,
                kind="payment",
                title=f"Payment {payment.reference} for order {payment.order.number}",
                summary=summary,
                url=console_url(Payment, payment.pk),
                app="marketplace",
                status=payment.get_status_display(),
            )
        )
    for refund in refunds.order_by("-created_at", "-id")[:limit]:
        entries.append(
            TimelineEntry(
                at=refund.created_at,
                kind="refund",
                title=f"Refund of {refund.amount} {refund.payment.currency} on order {refund.payment.order.number}",
                summary=refund.reason,
                url=console_url(Refund, refund.pk),
                app="marketplace",
                status="Issued",
            )
        )
    return entries
