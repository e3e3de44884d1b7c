import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role
from tests.accounts.factories import StaffFactory
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event, EventType


class EndpointFactory(DjangoModelFactory[Endpoint]):
    class Meta:
        model = Endpoint

    owner = factory.SubFactory(StaffFactory, role=Role.INTEGRATION)
    url = factory.Sequence(lambda n: f"http://127.0.0.1:9/hooks/{n}")
    events = factory.LazyFunction(lambda: [EventType.TICKET_OPENED.value])
    secret = factory.Sequence(lambda n: f"whsec_test_{n:04d}_0123456789abcdef")
    is_active = True


class EventFactory(DjangoModelFactory[Event]):
    class Meta:
        model = Event

    type = EventType.TICKET_OPENED
    resource_type = "ticket"
    resource_id = factory.Sequence(lambda n: n + 1)
    created_at = factory.LazyFunction(timezone.now)


class DeliveryFactory(DjangoModelFactory[Delivery]):
    class Meta:
        model = Delivery

    event = factory.SubFactory(EventFactory, payload={"id": 1})
    endpoint = factory.SubFactory(EndpointFactory)
    status = DeliveryStatus.PENDING
    next_attempt_at = factory.LazyFunction(timezone.now)
    created_at = factory.LazyFunction(timezone.now)
