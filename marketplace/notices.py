"""The notifications marketplace sends (registered with ``notifications``; group ``orders``)."""

from django.db import models

from notifications.models import register_kinds


class Kind(models.TextChoices):
    ORDER_STATUS_CHANGED = "order_status_changed", "Order status changed"
    INVOICE_ISSUED = "invoice_issued", "Invoice issued"
    INVOICE_REISSUED = "invoice_reissued", "Invoice reissued"
    REFUND_ISSUED = "refund_issued", "Refund issued"
    RECEIPT_SENT = "receipt_sent", "Receipt sent"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    REFUND_GRANTED = "refund_granted", "Refund granted, waiting for finance"
    ORDER_DELAYED = "order_delayed", "Order delayed"
    ORDER_STATUS_ANSWER = "order_status_answer", "Where your order is"


register_kinds(Kind, group="orders")
