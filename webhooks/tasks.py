from celery import shared_task
from django.utils import timezone

from webhooks.services.sending import webhook_endpoint_deliver, webhook_events_dispatch


@shared_task(name="webhooks.dispatch_events")
def dispatch_events_task() -> dict[str, int]:
    """Fan the new events out to their endpoints and queue each endpoint's sender (claimed: safe to
    run twice, or from several workers at once)."""
    return webhook_events_dispatch(now=timezone.now())


@shared_task(name="webhooks.deliver_endpoint")
def deliver_endpoint_task(endpoint_id: int) -> dict[str, int]:
    """Send what is due to one endpoint (claimed, within the endpoint's concurrency limit)."""
    return webhook_endpoint_deliver(endpoint_id=endpoint_id, now=timezone.now())
