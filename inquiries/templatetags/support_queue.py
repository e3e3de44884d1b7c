"""The support queue's live counts on the console's index page (``templates/admin/index.html``).

A template tag rather than a custom ``AdminSite``: the project keeps Django's default site (its
titles are set in ``saypro/urls.py``), and other apps can add their own cards the same way.
"""

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.charts import Chart
from core.console import QueueCard
from core.durations import duration_words
from inquiries.charts import within_target_chart
from inquiries.selectors.kpis import monthly_series
from inquiries.selectors.queue import support_queue_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def support_queue_cards(context: dict[str, Any]) -> list[QueueCard]:
    """The four cards for a user who may see inquiries and escalations; none (and no query)
    for other staff."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    may_see_inquiries = user.has_perm("inquiries.view_inquiry")
    may_see_queue = user.has_perm("inquiries.view_escalation") or user.has_perm("inquiries.change_escalation")
    if not (may_see_inquiries or may_see_queue):
        return []
    counts = support_queue_counts(now=timezone.now())
    cards = []
    if may_see_inquiries:
        inquiries_url = reverse("admin:inquiries_inquiry_changelist")
        cards += [
            QueueCard("Open inquiries", counts.open_inquiries, f"{inquiries_url}?status__exact=open", "neutral"),
            QueueCard("Due within the hour", counts.due_within_hour, f"{inquiries_url}?due=hour", "warning"),
            QueueCard("Overdue", counts.overdue, f"{inquiries_url}?due=overdue", "alert"),
        ]
    if may_see_queue:
        queue_url = reverse("admin:inquiries_escalation_changelist")
        cards.append(
            QueueCard(
                "Unassigned escalations",
                counts.unassigned_escalations,
                f"{queue_url}?resolved=no&assignment=unassigned",
                "alert",
            )
        )
    return cards


TREND_MONTHS = 12


@register.simple_tag(takes_context=True)
def response_trend_chart(context: dict[str, Any]) -> Chart | None:
    """The platform's within-target % over the last 12 months (``monthly_series``: one grouped
    statement, two on SQLite) for staff who may see inquiries; None (and no query) for others."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("inquiries.view_inquiry"):
        return None
    target = duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    series = monthly_series(seller_id=None, months=TREND_MONTHS, now=timezone.now())
    return within_target_chart(series, title=f"Inquiries answered within {target}, platform-wide, by month")
