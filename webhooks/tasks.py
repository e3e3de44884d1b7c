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
    """Send what is due to one endpoint (claimed, within the endpoint's concurrency limit). A run
    that used its time budget with work left queues the endpoint again rather than holding the
    worker: the other endpoints' tasks get their turn."""
    result = webhook_endpoint_deliver(endpoint_id=endpoint_id, now=timezone.now())
    if result.get("more"):
        deliver_endpoint_task.delay(endpoint_id)
    return result
