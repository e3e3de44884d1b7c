"""Delayed orders, told to the buyer before they ask: once per delay, set-based, safe when two
sweeps run at once.

A shipment not yet delivered (its order still processing or shipped) is delayed when

- its expected delivery date has passed (``past_expected``, the delay is that date), or
- nothing was heard of it for ``MARKETPLACE_DELAY_NO_TRACKING_AFTER``: no tracking event, or
  before the first, none since it shipped (``no_tracking``, the delay is that last sign of life).

Two steps, each a fixed number of statements per batch, whatever its size:

1. **Detect**: the delayed shipments without a row for their delay, one SELECT each kind, written
   with one ``INSERT ... ON CONFLICT DO NOTHING`` (``bulk_create(ignore_conflicts=True)``). The
   partial unique constraints (one row per shipment and expected date, one per shipment and last
   sign of life) make the same delay found twice, by two sweeps at once, one row.
2. **Tell**: claim a batch of rows not yet told and mark them in one statement, ``UPDATE ... SET
   notified_at WHERE notified_at IS NULL AND id = ANY(ARRAY(SELECT ... FOR UPDATE SKIP LOCKED LIMIT
   n)) RETURNING id``: two sweeps skip each other's rows and the repeated ``IS NULL`` marks each
   once. Then one SELECT of what the notices say, one bulk insert of notices, one of order events.

A new expected date that passes again, or a new tracking event followed by another silence, is a
new delay and is told again; the same delay never twice.
"""

from datetime import date, datetime

from django.conf import settings
from django.db.models import DateTimeField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.sla import sweep_in_batches
from core.sql import db_datetime, execute, in_claimed, row_locks_supported, table
from marketplace.models import OrderDelay, OrderEvent, OrderStatus, Shipment, TrackingEvent
from marketplace.notices import Kind
from notifications.services.bulk import Draft, notify_many

WAITING_STATUSES = (OrderStatus.PROCESSING, OrderStatus.SHIPPED)


def _undelivered() -> QuerySet[Shipment]:
    return Shipment.objects.filter(delivered_at__isnull=True, order__status__in=WAITING_STATUSES)


def delays_detect(*, now: datetime, batch_size: int) -> int:
    """Record the delays that exist at ``now`` and have no row yet; returns how many were found."""
    today = now.date()
    past = (
        _undelivered()
        .filter(expected_delivery__lt=today)
        .exclude(
            Exists(
                OrderDelay.objects.filter(
                    shipment_id=OuterRef("pk"),
                    kind=OrderDelay.Kind.PAST_EXPECTED,
                    expected_delivery=OuterRef("expected_delivery"),
                )
            )
        )
        .order_by("id")
        .values_list("id", "order_id", "expected_delivery")[:batch_size]
    )
    last_event = TrackingEvent.objects.filter(shipment_id=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")
    silent = (
        _undelivered()
        .annotate(
            last_activity=Coalesce(Subquery(last_event[:1]), "shipped_at", "created_at", output_field=DateTimeField())
        )
        .filter(last_activity__lt=now - settings.MARKETPLACE_DELAY_NO_TRACKING_AFTER)
        .exclude(
            Exists(
                OrderDelay.objects.filter(
                    shipment_id=OuterRef("pk"),
                    kind=OrderDelay.Kind.NO_TRACKING,
                    last_activity_at=OuterRef("last_activity"),
                )
            )
        )
        .order_by("id")
        .values_list("id", "order_id", "last_activity")[:batch_size]
    )
    rows = [
        OrderDelay(
            shipment_id=shipment_id,
            order_id=order_id,
            kind=OrderDelay.Kind.PAST_EXPECTED,
            expected_delivery=expected,
            detected_at=now,
        )
        for shipment_id, order_id, expected in past
    ] + [
        OrderDelay(
            shipment_id=shipment_id,
            order_id=order_id,
            kind=OrderDelay.Kind.NO_TRACKING,
            last_activity_at=last_activity,
            detected_at=now,
        )
        for shipment_id, order_id, last_activity in silent
    ]
    if rows:
        OrderDelay.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _claim(*, now: datetime, batch_size: int) -> list[int]:
    opening, closing = in_claimed()
    locks = "FOR UPDATE SKIP LOCKED" if row_locks_supported() else ""
    delay = table(OrderDelay)
    rows = execute(
        f"""
        UPDATE {delay} SET notified_at = %s
        WHERE id {opening}
            SELECT id FROM {delay} WHERE notified_at IS NULL ORDER BY id LIMIT %s {locks}
        {closing} AND notified_at IS NULL
        RETURNING id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [db_datetime(now), batch_size],
    )
    return sorted(row[0] for row in rows)


def _day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "the expected date"


def delay_notice_text(delay: OrderDelay) -> tuple[str, str]:
    """The notice's title and body: what is late, what we know, what happens next."""
    order, shipment = delay.order, delay.shipment
    title = f"Your order {order.number} is delayed"
    if delay.kind == OrderDelay.Kind.PAST_EXPECTED:
        what = f"It was expected on {_day(delay.expected_delivery)} and has not been delivered yet."
    else:
        days = settings.MARKETPLACE_DELAY_NO_TRACKING_AFTER.days or 1
        what = f"The carrier has not reported any progress for more than {days} day{'s' if days != 1 else ''}."
    body = (
        f"{what} It travels with {shipment.carrier}, tracking number {shipment.tracking_number}. "
        "We are on it and will tell you as soon as it moves; you do not need to do anything. "
        "If you have a question, use “Get help with this” on the order page."
    )
    return title, body


def _tell(delay_ids: list[int]) -> None:
    delays = list(OrderDelay.objects.filter(pk__in=delay_ids).select_related("order__buyer", "shipment").order_by("id"))
    drafts = []
    events = []
    for delay in delays:
        title, body = delay_notice_text(delay)
        drafts.append(
            Draft(
                recipient=delay.order.buyer,
                kind=Kind.ORDER_DELAYED,
                title=title,
                body=body,
                link=f"/orders/{delay.order_id}/",
            )
        )
        events.append(
            OrderEvent(
                order_id=delay.order_id, kind=OrderEvent.Kind.DELAY_NOTIFIED, note=f"{delay.get_kind_display()}: {body}"
            )
        )
    notify_many(drafts=drafts)
    OrderEvent.objects.bulk_create(events)


def orders_delayed_sweep(*, now: datetime, batch_size: int | None = None) -> dict[str, int]:
    """Detect the delays at ``now`` and tell each buyer once; returns how many were found and told."""
    size = batch_size or settings.MARKETPLACE_DELAY_SWEEP_BATCH_SIZE
    found = 0
    while True:
        batch = delays_detect(now=now, batch_size=size)
        found += batch
        if batch < size:
            break
    told = sweep_in_batches(claim=lambda: _claim(now=now, batch_size=size), handle=_tell, batch_size=size)
    return {"detected": found, "notified": told}
