from datetime import datetime, timedelta

from celery.schedules import crontab

from core.periods import previous_quarter, quarter_of
from core.sweeps import register_sweep
from inquiries.services.standing import standings_decide_quarter
from inquiries.services.sweep import inquiries_sweep


@register_sweep("inquiries_response_clock", schedule=timedelta(minutes=1))
def inquiries_response_clock(*, now: datetime) -> dict[str, int]:
    """Escalate inquiries past the response target and warn those past the warning threshold."""
    return inquiries_sweep(now=now)


@register_sweep(
    "inquiries_seller_standing",
    schedule=crontab(minute=15, hour=0, day_of_month=1, month_of_year="1,4,7,10"),
)
def inquiries_seller_standing(*, now: datetime) -> dict[str, int | str]:
    """Decide every seller's standing for the quarter that just ended. Sellers already decided are
    skipped, so running it on any day (``run_sweeps``) only fills in what is missing."""
    quarter = previous_quarter(quarter_of(now)).label
    return {"quarter": quarter, **standings_decide_quarter(quarter=quarter, now=now)}
