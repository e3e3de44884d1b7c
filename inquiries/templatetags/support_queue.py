"""The support queue's live counts on the console's index page (``templates/admin/index.html``).

A template tag rather than a custom ``AdminSite``: the project keeps Django's default site (its
titles are set in ``saypro/urls.py``), and other apps can add their own cards the same way.
"""

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from core.console import QueueCard
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
