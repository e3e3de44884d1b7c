from datetime import datetime, timedelta

from core.sweeps import register_sweep
from feedback.services.sweep import feedback_sweep


@register_sweep("feedback_surveys", schedule=timedelta(minutes=1))
def feedback_surveys(*, now: datetime) -> dict[str, int]:
    """Send the survey invitations that are due (in-app and email) and remind, once, the
    customers who have not answered."""
    return feedback_sweep(now=now)
