"""The notifications marketplace sends (registered with ``notifications``; group ``orders``)."""

from django.db import models

from notifications.models import register_kinds


class Kind(models.TextChoices):
    ORDER_STATUS_CHANGED = "order_status_changed", "Order status changed"
    INVOICE_ISSUED = "invoice_issued", "Invoice issued"
    INVOICE_REISSUED = "invoice_reissued", "Invoice reissued"
    REFUND_ISSUED = "refund_issued", "Refund issued"
    RECEIPT_SENT = "receipt_sent", "Receipt sent"


register_kinds(Kind, group="orders")
