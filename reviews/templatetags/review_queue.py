"""The reviews work queues' live counts on the console's index page (``templates/admin/index.html``),
next to the support queue's cards (``inquiries.templatetags.support_queue``), in the same shape
(``core.console.QueueCard``)."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from core.charts import Chart
from core.console import QueueCard
from reviews.charts import TREND_MONTHS
from reviews.charts import review_trend_chart as review_trend_chart_for
from reviews.selectors.metrics import review_monthly_series
from reviews.selectors.queue import review_queue_counts
from reviews.services.access import user_may_see_review_metrics_report

register = template.Library()


@register.simple_tag(takes_context=True)
def review_queue_cards(context: dict[str, Any]) -> list[QueueCard]:
    """The cards the user's permissions open; none (and no query) for staff who see no reviews."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    may_see_reviews = user.has_perm("reviews.view_review")
    may_moderate = user.has_perm("reviews.change_reviewresponse")
    may_see_cases = user.has_perm("reviews.view_reviewcase")
    if not (may_see_reviews or may_moderate or may_see_cases):
        return []
    counts = review_queue_counts()
    cards = []
    if may_see_reviews:
        reviews_url = reverse("admin:reviews_review_changelist")
        cards.append(
            QueueCard(
                "Negative reviews awaiting a response",
                counts.negative_awaiting_response,
                f"{reviews_url}?needs_response=negative",
                "warning",
            )
        )
    if may_moderate:
        responses_url = reverse("admin:reviews_reviewresponse_changelist")
        cards.append(
            QueueCard(
                "Flagged responses to moderate",
                counts.flagged_responses,
                f"{responses_url}?status__exact=pending_moderation",
                "warning",
            )
        )
    if may_see_cases:
        cases_url = reverse("admin:reviews_reviewcase_changelist")
        cards.append(QueueCard("Open review cases", counts.open_cases, f"{cases_url}?status__exact=open", "neutral"))
    if may_see_reviews:
        reviews_url = reverse("admin:reviews_review_changelist")
        cards.append(
            QueueCard(
                "Escalated reviews, unanswered",
                counts.escalated_unanswered,
                f"{reviews_url}?escalated=unanswered",
                "alert",
            )
        )
    return cards


@register.simple_tag(takes_context=True)
def review_metrics_url(context: dict[str, Any]) -> str:
    """The review metrics report's URL for staff who may open it; empty otherwise (no query)."""
    request = context.get("request")
    if not user_may_see_review_metrics_report(getattr(request, "user", None)):
        return ""
    return reverse("admin:reviews_review_metrics")


@register.simple_tag(takes_context=True)
def review_trend_chart(context: dict[str, Any]) -> Chart | None:
    """The platform's reviews answered within target over the last 12 months (one grouped query)
    for staff who may open the review metrics report; None (and no query) for others."""
    request = context.get("request")
    if not user_may_see_review_metrics_report(getattr(request, "user", None)):
        return None
    series = review_monthly_series(seller_id=None, months=TREND_MONTHS, now=timezone.now())
    return review_trend_chart_for(series, title="Reviews answered within target, platform-wide, by month")
