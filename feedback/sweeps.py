"""The feedback app's periodic sweeps (``core.sweeps``)."""

from datetime import datetime, timedelta
from typing import Any

from core.sweeps import register_sweep
from feedback.services.reports import feedback_reports_send
from feedback.services.sweep import feedback_sweep


@register_sweep("feedback_surveys", schedule=timedelta(minutes=1))
def feedback_surveys(*, now: datetime) -> dict[str, int]:
    """Send the survey invitations that are due (in-app and email) and remind, once, the
    customers who have not answered."""
    return feedback_sweep(now=now)


@register_sweep("feedback_reports", schedule=timedelta(hours=1))
def feedback_reports(*, now: datetime) -> dict[str, Any]:
    """Alert category owners (below target, rising sharply); mail the monthly and quarterly CSAT reports."""
    return feedback_reports_send(now=now)
