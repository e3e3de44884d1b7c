"""Asking for deliveries by hand: replaying one, replaying every failed one in a time range, and
pinging an endpoint. Each writes new pending deliveries (same event, so the same event id) in one
transaction and queues the endpoint's sender after commit; the sender (``webhooks.services.
sending``) does the HTTP."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from accounts.models import User
from core.exceptions import InvalidInput, StateConflict
from core.sql import db_datetime, execute, table
from webhooks.models import Delivery, DeliveryStatus, Endpoint, Event, EventType


def webhook_deliveries_send_after_commit(endpoint_ids: list[int]) -> None:
    """Queue each endpoint's sender once the transaction commits (``robust``: with the broker down
    the ``webhooks_deliver`` sweep sends them)."""
    for endpoint_id in sorted(set(endpoint_ids)):
        transaction.on_commit(_queue_endpoint(endpoint_id), robust=True)


def _queue_endpoint(endpoint_id: int) -> Callable[[], None]:
    from webhooks.tasks import deliver_endpoint_task

    def send_webhook_deliveries() -> None:
        deliver_endpoint_task.delay(endpoint_id)

    return send_webhook_deliveries


def _require_active(endpoint: Endpoint) -> None:
    if not endpoint.is_active:
        raise StateConflict("This endpoint is paused: turn it on before sending to it.", code="endpoint_paused")


@transaction.atomic
def delivery_replay(*, delivery: Delivery, actor: User, now: datetime) -> Delivery:
    """Send ``delivery``'s event to its endpoint again, as a new delivery (the old one and its
    attempts stay as they were)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    _require_active(endpoint)
    replay = Delivery.objects.create(
        event_id=delivery.event_id,
        endpoint=endpoint,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        replay_of=delivery,
        requested_by=actor,
        created_at=now,
    )
    webhook_deliveries_send_after_commit([endpoint.pk])
    return replay


@transaction.atomic
def deliveries_replay_failed(
    *, endpoint: Endpoint, since: datetime, until: datetime, actor: User, now: datetime
) -> int:
    """Replay every delivery to ``endpoint`` that failed for good (gave up) among those created in
    [``since``, ``until``), in one statement. A delivery already replayed is not replayed twice by
    the same range: only the failed originals and failed replays with no replay of their own are
    taken. Returns how many were queued."""
    if until <= since:
        raise InvalidInput("The end of the range must come after its start.", field="until")
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    _require_active(locked)
    delivery = table(Delivery)
    rows = execute(
        f"""
        INSERT INTO {delivery}
            (event_id, endpoint_id, status, attempts, next_attempt_at, replay_of_id, requested_by_id, created_at)
        SELECT failed.event_id, failed.endpoint_id, %s, 0, %s, failed.id, %s, %s
        FROM {delivery} AS failed
        WHERE failed.endpoint_id = %s AND failed.status = %s
            AND failed.created_at >= %s AND failed.created_at < %s
            AND NOT EXISTS (SELECT 1 FROM {delivery} AS later WHERE later.replay_of_id = failed.id)
        RETURNING id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [
            DeliveryStatus.PENDING.value,
            db_datetime(now),
            actor.pk,
            db_datetime(now),
            endpoint.pk,
            DeliveryStatus.FAILED.value,
            db_datetime(since),
            db_datetime(until),
        ],
    )
    if rows:
        webhook_deliveries_send_after_commit([endpoint.pk])
    return len(rows)


@transaction.atomic
def endpoint_ping(*, endpoint: Endpoint, actor: User, now: datetime) -> Delivery:
    """A ``webhook.ping`` event for this endpoint alone, delivered like any other (signed, logged,
    retried): the way to check a receiver before real events flow."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    _require_active(locked)
    event = Event.objects.create(
        type=EventType.PING,
        resource_type="webhook_endpoint",
        resource_id=locked.pk,
        endpoint=locked,
        payload={"id": locked.pk, "url": locked.url, "events": list(locked.events)},
        dispatched_at=now,
        created_at=now,
    )
    delivery = Delivery.objects.create(
        event=event,
        endpoint=locked,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        requested_by=actor,
        created_at=now,
    )
    webhook_deliveries_send_after_commit([locked.pk])
    return delivery
