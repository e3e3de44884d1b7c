from datetime import datetime, timedelta

from core.sweeps import register_sweep
from reviews.services.sweep import reviews_sweep


@register_sweep("reviews_response_clock", schedule=timedelta(minutes=5))
def reviews_response_clock(*, now: datetime) -> dict[str, int]:
    """Escalate negative reviews unanswered past 48 h and recovery follow-ups left unresolved."""
    return reviews_sweep(now=now)
