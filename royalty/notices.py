"""The notifications royalty sends (registered with ``notifications``; group ``statements``)."""

from django.db import models

from notifications.models import register_kinds


class Kind(models.TextChoices):
    STATEMENT_READY = "statement_ready", "Royalty statement ready"
    STATEMENT_APPROVED = "statement_approved", "Royalty statement approved"
    STATEMENT_PAID = "statement_paid", "Royalty statement paid"
    ADJUSTMENT_TO_APPROVE = "adjustment_to_approve", "Royalty adjustment waiting for a second approver"
    STATEMENT_TO_APPROVE = "statement_to_approve", "Royalty statement waiting for a second approver"


register_kinds(Kind, group="statements")
