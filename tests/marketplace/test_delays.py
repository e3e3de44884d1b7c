"""The delayed-order sweep: the buyer is told before they ask, exactly once per delay."""

from datetime import UTC as utc
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sweeps import registered_sweeps, sweep_run
from marketplace.models import OrderDelay, OrderEvent
from marketplace.services.delays import orders_delayed_sweep
from notifications.models import Notification
from tests.marketplace.factories import ShipmentFactory, TrackingEventFactory
from tests.utils import requires_postgres, run_at_once

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=utc)
FRESH = NOW - timedelta(hours=5)


def delayed_notices(order_id: int | None = None):  # type: ignore[no-untyped-def]
    notices = Notification.objects.filter(kind="order_delayed")
    return notices.filter(link=f"/orders/{order_id}/") if order_id else notices


@pytest.mark.django_db
def test_an_order_past_its_expected_delivery_is_announced_once():
    shipment = ShipmentFactory(
        expected_delivery=date(2026, 12, 6), shipped_at=FRESH, carrier="DHL", tracking_number="D9"
    )
    TrackingEventFactory(shipment=shipment, occurred_at=FRESH)

    first = orders_delayed_sweep(now=NOW)
    second = orders_delayed_sweep(now=NOW + timedelta(hours=1))

    assert first == {"detected": 1, "notified": 1}
    assert second == {"detected": 0, "notified": 0}
    notice = delayed_notices().get()
    assert notice.recipient == shipment.order.buyer
    assert notice.title == f"Your order {shipment.order.number} is delayed"
    assert notice.body.startswith("It was expected on 6 Dec 2026 and has not been delivered yet. It travels with DHL")
    assert OrderEvent.objects.filter(order=shipment.order, kind="delay_notified").count() == 1


@pytest.mark.django_db
def test_no_tracking_event_for_the_set_time_is_a_delay_and_a_new_silence_is_a_new_one(settings):
    settings.MARKETPLACE_DELAY_NO_TRACKING_AFTER = timedelta(days=3)
    shipment = ShipmentFactory(shipped_at=NOW - timedelta(days=5))
    TrackingEventFactory(shipment=shipment, occurred_at=NOW - timedelta(days=3, minutes=1))

    assert orders_delayed_sweep(now=NOW)["notified"] == 1
    assert orders_delayed_sweep(now=NOW + timedelta(days=1))["notified"] == 0

    # The carrier scans again, then goes quiet again: that is another delay, told again.
    TrackingEventFactory(shipment=shipment, occurred_at=NOW + timedelta(days=1))
    assert orders_delayed_sweep(now=NOW + timedelta(days=2))["notified"] == 0
    assert orders_delayed_sweep(now=NOW + timedelta(days=4, minutes=1))["notified"] == 1
    assert delayed_notices(shipment.order_id).count() == 2
    assert "has not reported any progress for more than 3 days" in delayed_notices().first().body


@pytest.mark.django_db
def test_on_time_delivered_and_cancelled_orders_are_not_delays():
    ShipmentFactory(expected_delivery=date(2026, 12, 7), shipped_at=FRESH)  # due today: not late yet
    ShipmentFactory(expected_delivery=date(2026, 12, 1), shipped_at=FRESH, delivered_at=FRESH)
    ShipmentFactory(expected_delivery=date(2026, 12, 1), shipped_at=FRESH, order__status="cancelled")
    ShipmentFactory(expected_delivery=date(2026, 12, 1), shipped_at=FRESH, order__status="delivered")

    assert orders_delayed_sweep(now=NOW) == {"detected": 0, "notified": 0}
    assert not OrderDelay.objects.exists()


@pytest.mark.django_db
def test_a_new_expected_date_that_passes_is_told_again():
    shipment = ShipmentFactory(expected_delivery=date(2026, 12, 5), shipped_at=FRESH)
    TrackingEventFactory(shipment=shipment, occurred_at=FRESH)
    orders_delayed_sweep(now=NOW)
    shipment.expected_delivery = date(2026, 12, 8)
    shipment.save()
    TrackingEventFactory(shipment=shipment, occurred_at=NOW + timedelta(days=1))

    assert orders_delayed_sweep(now=NOW + timedelta(days=1))["notified"] == 0
    assert orders_delayed_sweep(now=NOW + timedelta(days=2))["notified"] == 1
    assert [notice.body[:33] for notice in delayed_notices().order_by("id")] == [
        "It was expected on 5 Dec 2026 and",
        "It was expected on 8 Dec 2026 and",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 60])
def test_the_sweep_costs_the_same_statements_for_few_and_many_delays(count):
    for _ in range(count):
        TrackingEventFactory(
            shipment=ShipmentFactory(expected_delivery=date(2026, 12, 1), shipped_at=FRESH), occurred_at=FRESH
        )

    with CaptureQueriesContext(connection) as queries:
        assert orders_delayed_sweep(now=NOW, batch_size=1000) == {"detected": count, "notified": count}

    # detect: two SELECTs, one INSERT; tell: claim, read, notices, events (+ savepoints)
    statements = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(statements) == 7, statements


def test_the_sweep_is_registered_for_beat_and_run_sweeps():
    assert "marketplace_delayed_orders" in [sweep.name for sweep in registered_sweeps()]


@pytest.mark.django_db
def test_run_by_name_it_takes_now_from_the_caller():
    ShipmentFactory(expected_delivery=date(2026, 12, 1), shipped_at=FRESH)
    assert sweep_run("marketplace_delayed_orders", now=NOW)["notified"] == 1


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_tell_each_delay_exactly_once():
    shipments = [ShipmentFactory(expected_delivery=date(2026, 12, 1), shipped_at=FRESH) for _ in range(40)]

    results = run_at_once(4, lambda index: orders_delayed_sweep(now=NOW, batch_size=7))

    assert all(isinstance(result, dict) for result in results), results
    assert sum(result["notified"] for result in results) == 40  # type: ignore[index]
    assert OrderDelay.objects.count() == 40
    assert delayed_notices().count() == 40
    for shipment in shipments:
        assert delayed_notices(shipment.order_id).count() == 1
    assert OrderEvent.objects.filter(kind="delay_notified").count() == 40
