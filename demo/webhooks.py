"""The demo webhook endpoint: every event type, delivered to the small receiver in
``scripts/webhook_receiver.py`` on http://127.0.0.1:8001/webhooks/ with its default secret, so a
newcomer who starts the receiver next to ``make run`` sees each delivery as it happens (answering a
conversation, resolving a ticket...). Until the receiver runs, deliveries fail and retry with
backoff, visible under Webhooks → Deliveries in the console.

The demo history was replayed through the services, which recorded their events; those are marked
dispatched here, before the endpoint exists, so the receiver gets what happens from now on and not
thousands of past events (as ``emails_suppressed`` keeps the past out of the mailboxes).
Idempotent: nothing when the endpoint exists."""

from datetime import datetime

from accounts.models import User
from webhooks.models import SUBSCRIBABLE_EVENT_TYPES, Endpoint, Event

DEMO_RECEIVER_URL = "http://127.0.0.1:8001/webhooks/"
DEMO_RECEIVER_SECRET = "whsec_demo_receiver_secret_change_me"  # noqa: S105 (the receiver script's default, for the demo)


def build_demo_webhooks(*, now: datetime) -> dict[str, int]:
    if Endpoint.objects.filter(url=DEMO_RECEIVER_URL).exists():
        return {"webhook endpoints": 0}
    owner = User.objects.filter(username="admin").first()
    if owner is None:
        return {"webhook endpoints": 0}
    Event.objects.filter(dispatched_at__isnull=True).update(dispatched_at=now)
    # Created directly rather than through ``endpoint_create``: the demo runs in development, where a
    # loopback receiver is allowed; a production deployment never loads demo data.
    Endpoint.objects.create(
        owner=owner,
        url=DEMO_RECEIVER_URL,
        description="Demo receiver: python scripts/webhook_receiver.py",
        events=list(SUBSCRIBABLE_EVENT_TYPES),
        secret=DEMO_RECEIVER_SECRET,
        is_active=True,
    )
    return {"webhook endpoints": 1}
