"""The ticket queue's rows (``helpdesk_queue_results``): the HTML Django's changelist renders, built
in Python (its goal is 20 ms a page; Django's per-cell templates were most of it); its filters and
action bar are ``core.templatetags.console_lists``'. The live counts on the console's index are
``helpdesk/console_navigation.py``'s."""

from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import ResultList, result_list
from django.utils import timezone

register = template.Library()


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
    # Each row one string: the template renders one value a row, not ten.
    now, tz = timezone.now(), timezone.get_current_timezone()
    context["results"] = [ResultList(None, [admin.queue_row(ticket, now=now, tz=tz)]) for ticket in rows]
    return context
