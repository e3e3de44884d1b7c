from datetime import datetime, timedelta

from core.sweeps import register_sweep
from marketplace.services.delays import orders_delayed_sweep


@register_sweep("marketplace_delayed_orders", schedule=timedelta(minutes=15))
def marketplace_delayed_orders(*, now: datetime) -> dict[str, int]:
    """Tell buyers about delayed orders (past the expected delivery, or no tracking update for
    ``MARKETPLACE_DELAY_NO_TRACKING_AFTER``) before they ask, once per delay."""
    return orders_delayed_sweep(now=now)
