"""The reviews' queues in the moderators' console (``core.console_navigation``): moderators
moderate flagged responses and answer negative reviews; support works the review cases and the
reviews escalated to it."""

from dataclasses import asdict
from datetime import datetime

from core.charts import Chart
from core.console_navigation import ConsoleChart, ConsoleLink, ConsoleQueue, ConsoleSection, register_console_section
from reviews.charts import TREND_MONTHS, review_trend_chart
from reviews.selectors.metrics import review_monthly_series
from reviews.selectors.queue import review_queue_counts
from reviews.services.access import METRICS_REPORT_PERMISSION

REVIEWS = "admin:reviews_review_changelist"
RESPONSES = "admin:reviews_reviewresponse_changelist"
CASES = "admin:reviews_reviewcase_changelist"


def review_trend(now: datetime) -> Chart:
    """The platform's reviews answered within target over the last 12 months (one grouped query)."""
    series = review_monthly_series(seller_id=None, months=TREND_MONTHS, now=now)
    return review_trend_chart(series, title="Reviews answered within target, platform-wide, by month")


REVIEW_TREND = ConsoleChart("sp-review-trend", METRICS_REPORT_PERMISSION, review_trend)
METRICS = ConsoleLink("Review metrics", "admin:reviews_review_metrics", METRICS_REPORT_PERMISSION)
NEGATIVE = ConsoleQueue(
    "negative_awaiting_response",
    "Negative reviews awaiting a response",
    REVIEWS,
    "reviews.view_review",
    "needs_response=negative",
    "warning",
)
OPEN_CASES = ConsoleQueue("open_cases", "Open review cases", CASES, "reviews.view_reviewcase", "status__exact=open")
ESCALATED = ConsoleQueue(
    "escalated_unanswered",
    "Escalated reviews, unanswered",
    REVIEWS,
    "reviews.view_review",
    "escalated=unanswered",
    "alert",
)


def _counts(now: datetime) -> dict[str, int]:
    return asdict(review_queue_counts())


register_console_section(
    ConsoleSection(
        key="reviews.moderation",
        title="Reviews, live",
        group="Moderation",
        roles=frozenset({"moderator"}),
        order=200,
        counts=_counts,
        queues=(
            NEGATIVE,
            ConsoleQueue(
                "flagged_responses",
                "Flagged responses to moderate",
                RESPONSES,
                "reviews.change_reviewresponse",
                "status__exact=pending_moderation",
                "warning",
            ),
            OPEN_CASES,
            ESCALATED,
        ),
        links=(
            METRICS,
            ConsoleLink("Seller strikes", "admin:reviews_sellerstrike_changelist", "reviews.view_sellerstrike"),
            ConsoleLink(
                "Response templates", "admin:reviews_responsetemplate_changelist", "reviews.view_responsetemplate"
            ),
        ),
        charts=(REVIEW_TREND,),
    )
)

register_console_section(
    ConsoleSection(
        key="reviews.support",
        title="Reviews, live",
        group="Support",
        roles=frozenset({"support"}),
        order=120,
        counts=_counts,
        queues=(OPEN_CASES, ESCALATED, NEGATIVE),
        links=(METRICS,),
        charts=(REVIEW_TREND,),
    )
)
