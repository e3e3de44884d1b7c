"""The demo webhook endpoint: every event type to the receiver script's address and secret; the
replayed history is not sent to it."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo.webhooks import DEMO_RECEIVER_SECRET, DEMO_RECEIVER_URL
from webhooks.models import SUBSCRIBABLE_EVENT_TYPES, Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db


def test_the_demo_endpoint_receives_every_event_at_the_receiver_script_and_none_of_the_history() -> None:
    out = StringIO()

    call_command("seed_demo", "--orders", "40", stdout=out)

    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.secret, endpoint.is_active) == (DEMO_RECEIVER_URL, DEMO_RECEIVER_SECRET, True)
    assert sorted(endpoint.events) == sorted(SUBSCRIBABLE_EVENT_TYPES)
    assert endpoint.owner.username == "admin"
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert not Delivery.objects.exists()
    assert "scripts/webhook_receiver.py" in out.getvalue()
