import factory
from factory.django import DjangoModelFactory

from marketplace.notices import Kind
from notifications.models import EmailStatus, Notification
from tests.accounts.factories import BuyerFactory


class NotificationFactory(DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(BuyerFactory)
    kind = Kind.INVOICE_ISSUED
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."
    email_status = EmailStatus.NOT_REQUIRED
