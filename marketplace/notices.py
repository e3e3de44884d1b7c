"""The notifications marketplace sends (registered with ``notifications``; group ``orders``), and
who may change whose notification settings: a store's owner, its members'."""

from django.db import models
from django.db.models import QuerySet

from accounts.models import User
from marketplace.models import SellerMembership
from notifications.models import register_kinds
from notifications.services.preferences import register_preference_delegation


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


def _store_members_managed_by(user: User) -> QuerySet[User]:
    """A store's owner manages the notification settings of the store's members."""
    owned = SellerMembership.objects.filter(user_id=user.pk, role=SellerMembership.Role.OWNER).values("seller_id")
    return User.objects.filter(seller_memberships__seller_id__in=owned)


register_preference_delegation(_store_members_managed_by)
