"""PLACEHOLDER until the sender lands (same session): fan-out and delivery."""

from datetime import datetime


def webhook_events_dispatch(*, now: datetime) -> dict[str, int]:
    return {"events": 0, "deliveries": 0}


def webhook_endpoint_deliver(*, endpoint_id: int, now: datetime) -> dict[str, int]:
    return {"sent": 0, "failed": 0}
