from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from helpdesk.models import Article, Macro, Ticket, TicketClock
from tests.accounts.factories import BuyerFactory


class TicketFactory(DjangoModelFactory[Ticket]):
    """A new ``other`` ticket with its running first-response clock (48 h)."""

    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"HD-TEST-{n:06d}")
    customer = factory.SubFactory(BuyerFactory)
    category = "other"
    subject = "A question"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")
    first_response_due_at = factory.LazyAttribute(lambda ticket: ticket.created_at + timedelta(hours=48))
    clock = factory.RelatedFactory(
        "tests.helpdesk.factories.TicketClockFactory",
        factory_related_name="ticket",
        due_at=factory.SelfAttribute("..first_response_due_at"),
    )


class TicketClockFactory(DjangoModelFactory[TicketClock]):
    class Meta:
        model = TicketClock

    ticket = factory.SubFactory(TicketFactory, clock=None)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=48))
    warn_at = factory.LazyAttribute(lambda clock: clock.due_at - timedelta(hours=4))


class MacroFactory(DjangoModelFactory[Macro]):
    class Meta:
        model = Macro

    title = factory.Sequence(lambda n: f"Macro {n}")
    category = ""
    body = "Hello {customer_name}, about order {order_number}: it is on its way."


class ArticleFactory(DjangoModelFactory[Article]):
    """A published buyer article about orders."""

    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"How to track an order ({n})")
    slug = factory.Sequence(lambda n: f"article-{n}")
    audience = "buyer"
    topic = "orders"
    summary = "Where your parcel is."
    body = "Open **Orders** and choose the order."
    status = "published"
    published_at = factory.LazyFunction(timezone.now)
