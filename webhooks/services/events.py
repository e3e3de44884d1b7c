"""Writing domain events into the outbox, inside the caller's transaction.

Every app calls one of these in the service that makes the change (``ticket_resolve`` calls
``webhook_event_record`` before it returns): the event row commits or rolls back with the change.
After commit one task fans the new events out to the subscribed endpoints and delivers them
(``webhooks.tasks``); with the broker down the ``webhooks_deliver`` sweep picks them up.
Set-based sweeps use ``webhook_events_record_from_select``: one ``INSERT ... SELECT`` per batch,
however many rows.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from core.sql import db_datetime, table
from webhooks.models import EVENT_RESOURCE_TYPES, Event, EventType


def _resource_type(event_type: str) -> str:
    try:
        return EVENT_RESOURCE_TYPES[EventType(event_type)]
    except ValueError:
        raise ValueError(f"{event_type!r} is not a webhook event type") from None


def webhook_events_dispatch_after_commit() -> None:
    """Queue the fan-out once the caller's transaction commits (``robust``: with the broker down
    the change has committed and must not turn into an error; the sweep dispatches the events)."""
    # Once per transaction, however many events it records (a sweep's batch, a service that
    # records two): the task dispatches every undispatched event anyway.
    if connection.in_atomic_block and any(entry[1] is _queue_dispatch for entry in connection.run_on_commit):
        return
    transaction.on_commit(_queue_dispatch, robust=True)


def _queue_dispatch() -> None:
    from webhooks.tasks import dispatch_events_task

    dispatch_events_task.delay()


def webhook_event_record(*, event_type: str, resource_id: int, now: datetime) -> Event:
    """Record one event about one resource, in the caller's transaction."""
    event = Event.objects.create(
        type=event_type, resource_type=_resource_type(event_type), resource_id=resource_id, created_at=now
    )
    webhook_events_dispatch_after_commit()
    return event


def webhook_events_record_from_select(*, event_type: str, select_sql: str, params: Sequence[Any], now: datetime) -> int:
    """One event per row of ``select_sql`` (one column, ``resource_id``), in one statement. Portable
    SQL (PostgreSQL and SQLite); ``select_sql`` must be too. Returns how many were written."""
    resource_type = _resource_type(event_type)
    sql = f"""
        INSERT INTO {table(Event)} (type, resource_type, resource_id, created_at)
        SELECT %s, %s, source.resource_id, %s FROM ({select_sql}) AS source
    """  # noqa: S608 (identifiers from model metadata; values are parameters)

    with connection.cursor() as cursor:
        cursor.execute(sql, [event_type, resource_type, db_datetime(now), *params])
        written = cursor.rowcount
    if written:
        webhook_events_dispatch_after_commit()
    return max(written, 0)
