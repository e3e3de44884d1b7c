"""How a royalty statement appears in webhook events (``webhooks.resources``, resource
``royalty_statement``): exactly as ``GET /api/v1/royalty-statements/<id>/`` shows it to finance
(its lines and adjustments included), built with the API's serializer from the same loading:
three statements per batch (the statements with their affiliate and approvers, their lines,
their adjustments)."""

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch

from core.api.rendering import api_json
from royalty.api.serializers import StatementDetailOutputSerializer
from royalty.models import Adjustment, Statement, StatementLine


def statements_render(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    statements = (
        Statement.objects.filter(pk__in=ids)
        .select_related("affiliate", "approved_by", "second_approver")
        .prefetch_related(
            Prefetch("lines", queryset=StatementLine.objects.select_related("author").order_by("id")),
            Prefetch(
                "adjustments",
                queryset=Adjustment.objects.select_related("requested_by", "decided_by").order_by("requested_at", "id"),
            ),
        )
    )
    return {statement.pk: api_json(StatementDetailOutputSerializer(statement).data) for statement in statements}


RESOURCES = {"royalty_statement": statements_render}
