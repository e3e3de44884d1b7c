"""How a ticket appears in webhook events (``webhooks.resources``): as ``GET /api/v1/tickets/<id>/``
shows it to the ticket's customer, built with the API's serializer from the same loading (the
tickets with their clock, assignee and customer, then their log): two statements per batch.

Not the staff view: staff read internal notes and the staff members' names in the log, which
never leave the console (an integration's endpoint gets what the customer may read)."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from core.api.rendering import api_json
from helpdesk.api.serializers import TicketDetailOutputSerializer
from helpdesk.models import Interaction, Ticket


def tickets_render(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    # The customer's view of the log (``interactions_visible`` for a non-staff reader).
    log = Interaction.objects.filter(is_internal=False).select_related("author").order_by("created_at", "id")
    tickets = (
        Ticket.objects.filter(pk__in=ids)
        .select_related("clock", "assignee", "customer")
        .prefetch_related(Prefetch("interactions", queryset=log, to_attr="visible_interactions"))
    )
    context = {"staff": False, "now": timezone.now()}
    return {ticket.pk: api_json(TicketDetailOutputSerializer(ticket, context=context).data) for ticket in tickets}


RESOURCES = {"ticket": tickets_render}
