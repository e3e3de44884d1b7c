"""The webhooks app's periodic sweeps (``core.sweeps``)."""

from datetime import datetime, timedelta

from core.sweeps import register_sweep
from webhooks.services.sending import webhook_events_prune, webhooks_deliver_due


@register_sweep("webhooks_deliver", schedule=timedelta(minutes=1))
def webhooks_deliver(*, now: datetime) -> dict[str, int]:
    """Dispatch the events no task dispatched, then queue the sender of every endpoint with work
    due (retries whose time came, deliveries a dead worker held, an endpoint turned on again)."""
    return webhooks_deliver_due(now=now)


@register_sweep("webhooks_prune", schedule=timedelta(days=1))
def webhooks_prune(*, now: datetime) -> dict[str, int]:
    """Delete the events older than WEBHOOKS_EVENT_RETENTION with their deliveries and attempts."""
    return webhook_events_prune(now=now)
