from datetime import UTC, datetime, timedelta

from celery.schedules import crontab
from django.conf import settings

from core.exceptions import DomainError
from core.periods import month_period, shift_period
from core.sweeps import register_sweep
from royalty.services.generation import statements_generate
from royalty.services.rules import ruleset_in_force
from royalty.services.visibility import visibility_refresh


@register_sweep("royalty_statements", schedule=crontab(hour=2, minute=15))
def royalty_statements(*, now: datetime) -> dict[str, object]:
    """Generate the last closed month's statements once it has been closed for
    ``ROYALTY_GENERATE_AFTER_DAYS`` (late attributions and refunds in): idempotent, so running it
    again the next days only adds what arrived since (to drafts); approved statements stay as they are.
    Quarters are generated on demand (console or API)."""
    current = now.astimezone(UTC)
    last_month = shift_period(month_period(current.year, current.month), -1)
    if current < last_month.end + timedelta(days=settings.ROYALTY_GENERATE_AFTER_DAYS):
        last_month = shift_period(last_month, -1)
    if ruleset_in_force(last_month.start.date()) is None:
        return {"period": last_month.label, "skipped": "no rule set in force"}
    try:
        result = statements_generate(period=last_month, now=now)
    except DomainError as refused:  # e.g. quarters generated on demand over that month: nothing to do
        return {"period": last_month.label, "skipped": refused.message}
    return {
        "period": result.period,
        "statements": len(result.statement_ids),
        "created": result.statements_created,
        "lines": result.lines_added,
    }


@register_sweep("royalty_visibility", schedule=timedelta(minutes=settings.ROYALTY_VISIBILITY_REFRESH_MINUTES))
def royalty_visibility(*, now: datetime) -> dict[str, int]:
    """Refresh every seller's and product's visibility score (rating, response rate, CSAT)."""
    return visibility_refresh(now=now)
