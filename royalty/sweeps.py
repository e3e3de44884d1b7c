from datetime import datetime, timedelta

from django.conf import settings

from core.sweeps import register_sweep
from royalty.services.visibility import visibility_refresh


@register_sweep("royalty_visibility", schedule=timedelta(minutes=settings.ROYALTY_VISIBILITY_REFRESH_MINUTES))
def royalty_visibility(*, now: datetime) -> dict[str, int]:
    """Refresh every seller's and product's visibility score (rating, response rate, CSAT)."""
    return visibility_refresh(now=now)
