import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from marketplace.notices import Kind
from notifications.models import Delivery, EmailStatus, Notification, NotificationPreference, NotificationSettings
from tests.accounts.factories import BuyerFactory


class NotificationFactory(DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(BuyerFactory)
    kind = Kind.INVOICE_ISSUED
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."
    email_status = EmailStatus.NOT_REQUIRED


class NotificationPreferenceFactory(DjangoModelFactory[NotificationPreference]):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(BuyerFactory)
    group = "messages"
    delivery = Delivery.DIGEST
    updated_at = factory.LazyFunction(timezone.now)


class NotificationSettingsFactory(DjangoModelFactory[NotificationSettings]):
    class Meta:
        model = NotificationSettings

    user = factory.SubFactory(BuyerFactory)
    deadline_email_now = False
    updated_at = factory.LazyFunction(timezone.now)
