from datetime import datetime, timedelta

from core.sweeps import register_sweep
from helpdesk.services.sweep import helpdesk_sweep


@register_sweep("helpdesk_ticket_clock", schedule=timedelta(minutes=1))
def helpdesk_ticket_clock(*, now: datetime) -> dict[str, int]:
    """Warn before and escalate at a ticket's target, notify follow-ups due, remind customers a
    ticket waits on (closing it after the last reminder)."""
    return helpdesk_sweep(now=now)
