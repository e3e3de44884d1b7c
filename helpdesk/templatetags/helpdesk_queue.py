"""The help desk's live counts on the console's index page (``templates/admin/index.html``):
new tickets, tickets past their target, and tickets escalated to each department; and the ticket
queue's rows (``helpdesk_queue_results``)."""

from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import ResultList, result_list
from django.urls import reverse
from django.utils import timezone

from core.console import QueueCard
from helpdesk.models import Department
from helpdesk.selectors.tickets import ticket_queue_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def helpdesk_queue_cards(context: dict[str, Any]) -> list[QueueCard]:
    """The cards for a user who may see tickets; none (and no query) for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("helpdesk.view_ticket"):
        return []
    counts = ticket_queue_counts(now=timezone.now())
    url = reverse("admin:helpdesk_ticket_changelist")
    cards = [
        QueueCard("New tickets", counts.new, f"{url}?queue=new", "neutral"),
        QueueCard("Past target", counts.breaching, f"{url}?time_left=breaching", "alert"),
    ]
    for department in Department:
        cards.append(
            QueueCard(
                f"Escalated: {department.label}",
                counts.escalated_by_department[department.value],
                f"{url}?queue=escalated&department__exact={department.value}",
                "warning",
            )
        )
    return cards


@register.inclusion_tag("admin/change_list_results.html")
def helpdesk_queue_results(cl: Any) -> dict[str, Any]:
    """Django's ``{% result_list cl %}`` for the ticket queue, its rows from
    ``TicketAdmin.queue_row`` (the same HTML without the per-cell field lookups); any other
    columns (or an editable list) go through Django's own rows."""
    admin = cl.model_admin
    if cl.formset is not None or tuple(cl.list_display) != getattr(admin, "QUEUE_ROW_COLUMNS", None):
        return result_list(cl)
    rows, cl.result_list = cl.result_list, []  # headers and hidden fields only, no rows
    context = result_list(cl)
    cl.result_list = rows
    context["results"] = [ResultList(None, admin.queue_row(ticket)) for ticket in rows]
    return context
