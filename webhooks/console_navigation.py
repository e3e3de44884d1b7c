"""Webhooks in the moderators' console (``core.console_navigation``): the endpoints, the deliveries
that failed for good (to replay) and the endpoints paused by failures."""

from datetime import datetime

from core.console_navigation import ConsoleLink, ConsoleQueue, ConsoleSection, register_console_section
from webhooks.models import Delivery, DeliveryStatus, Endpoint


def _counts(now: datetime) -> dict[str, int]:
    # Two statements on partial-index-sized sets: failed deliveries, paused endpoints.
    return {
        "failed": Delivery.objects.filter(status=DeliveryStatus.FAILED).count(),
        "paused": Endpoint.objects.filter(is_active=False, paused_at__isnull=False).count(),
    }


register_console_section(
    ConsoleSection(
        key="webhooks.endpoints",
        title="Webhooks",
        group="Integration",
        # Administrators only (superusers see every section): the counts are platform-wide, and the
        # integration client reads its own endpoints through the API and its lists.
        roles=frozenset(),
        order=400,
        counts=_counts,
        queues=(
            ConsoleQueue(
                "failed",
                "Deliveries that failed",
                "admin:webhooks_delivery_changelist",
                "webhooks.view_delivery",
                "status__exact=failed",
                "warning",
            ),
            ConsoleQueue(
                "paused",
                "Endpoints paused by failures",
                "admin:webhooks_endpoint_changelist",
                "webhooks.view_endpoint",
                "is_active__exact=0",
                "warning",
            ),
        ),
        links=(
            ConsoleLink("Endpoints", "admin:webhooks_endpoint_changelist", "webhooks.view_endpoint"),
            ConsoleLink("Deliveries", "admin:webhooks_delivery_changelist", "webhooks.view_delivery"),
        ),
    )
)
