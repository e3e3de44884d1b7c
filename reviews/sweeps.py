from datetime import datetime, timedelta

from core.sweeps import register_sweep
from reviews.services.purchases import reviews_verified_purchase_sync
from reviews.services.sweep import reviews_sweep


@register_sweep("reviews_response_clock", schedule=timedelta(minutes=5))
def reviews_response_clock(*, now: datetime) -> dict[str, int]:
    """Escalate negative reviews unanswered past 48 h and recovery follow-ups left unresolved."""
    return reviews_sweep(now=now)


@register_sweep("reviews_verified_purchase", schedule=timedelta(hours=1))
def reviews_verified_purchase(*, now: datetime) -> dict[str, int]:
    """Keep the verified purchase badge true to the order (cancelled, refunded in full, paid, delivered)."""
    return reviews_verified_purchase_sync(now=now)
