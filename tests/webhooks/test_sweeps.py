"""The webhooks sweeps: ``webhooks_deliver`` catches up on whatever no task did (events never
dispatched, retries that came due, leases of dead workers); ``webhooks_prune`` deletes old events
with their deliveries and attempts."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from core.sweeps import get_sweep, sweep_run
from tests.webhooks.factories import EndpointFactory
from tests.webhooks.receiver import Receiver, running_receiver
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Event, EventType
from webhooks.services.events import webhook_event_record
from webhooks.services.sending import webhook_endpoint_deliver, webhook_events_dispatch

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _sender_settings(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_TIMEOUT = 2.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def _record(count: int, *, now: datetime = T0, start: int = 0) -> list[Event]:
    return [
        webhook_event_record(event_type=EventType.TICKET_OPENED, resource_id=900_000 + start + index, now=now)
        for index in range(count)
    ]


def test_both_sweeps_are_registered_with_their_schedules():
    assert get_sweep("webhooks_deliver").schedule == timedelta(minutes=1)
    assert get_sweep("webhooks_prune").schedule == timedelta(days=1)


@pytest.mark.django_db
def test_the_deliver_sweep_dispatches_lost_events_and_sends_what_came_due(receiver):
    endpoint = EndpointFactory(url=receiver.url)
    _record(3)  # their dispatch task was lost (broker down): nothing ran after commit
    receiver.script = [500]
    webhook_events_dispatch(now=T0)
    webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)
    assert len(receiver.requests) == 3
    _record(2, start=10)

    # No task runs here (nothing after commit in a test's transaction): the sweep sends by itself,
    # as it does when run by hand or with no worker up.
    result = sweep_run("webhooks_deliver", now=T0 + timedelta(hours=1))

    assert result == {"events": 2, "deliveries": 2, "endpoints": 1, "sent": 3, "queued": 0}
    assert len(receiver.requests) == 6  # the 2 new events and the retry that came due
    assert Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 5

    assert sweep_run("webhooks_deliver", now=T0 + timedelta(hours=2)) == {
        "events": 0,
        "deliveries": 0,
        "endpoints": 0,
        "sent": 0,
        "queued": 0,
    }
    assert len(receiver.requests) == 6


@pytest.mark.django_db
def test_the_deliver_sweep_queues_what_its_time_budget_left(receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_SWEEP_SEND_SECONDS = 0
    endpoint = EndpointFactory(url=receiver.url)
    _record(2)

    with django_capture_on_commit_callbacks() as callbacks:
        result = sweep_run("webhooks_deliver", now=T0)

    assert result == {"events": 2, "deliveries": 2, "endpoints": 1, "sent": 0, "queued": 1}
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):  # the queued sender runs (an eager task)
        for callback in callbacks:
            callback()
    assert len(receiver.requests) == 2
    assert Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.SUCCEEDED).count() == 2


@pytest.mark.django_db
def test_the_deliver_sweep_sends_again_what_a_dead_worker_held(receiver, settings):
    endpoint = EndpointFactory(url=receiver.url)
    _record(1)
    webhook_events_dispatch(now=T0)
    Delivery.objects.update(status=DeliveryStatus.SENDING, attempts=1, first_attempt_at=T0, last_attempt_at=T0)

    assert sweep_run("webhooks_deliver", now=T0 + timedelta(seconds=30))["endpoints"] == 0
    assert sweep_run("webhooks_deliver", now=T0 + settings.WEBHOOKS_SENDING_LEASE * 2)["endpoints"] == 1

    assert len(receiver.requests) == 1
    assert Delivery.objects.get(endpoint=endpoint).status == DeliveryStatus.SUCCEEDED


@pytest.mark.django_db
def test_the_prune_sweep_deletes_old_events_with_their_deliveries_and_attempts(receiver, settings):
    settings.WEBHOOKS_BATCH_SIZE = 2  # prune batches of 20
    endpoint = EndpointFactory(url=receiver.url)
    old = T0 - settings.WEBHOOKS_EVENT_RETENTION - timedelta(minutes=1)
    _record(45, now=old)
    kept = _record(2, now=T0 - timedelta(days=1), start=100)
    webhook_events_dispatch(now=T0)
    for _ in range(30):
        webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)
    assert DeliveryAttempt.objects.count() == 47

    assert sweep_run("webhooks_prune", now=T0) == {"events": 45}
    assert sweep_run("webhooks_prune", now=T0) == {"events": 0}

    assert sorted(Event.objects.values_list("pk", flat=True)) == sorted(event.pk for event in kept)
    assert Delivery.objects.count() == 2
    assert DeliveryAttempt.objects.count() == 2


@pytest.mark.django_db
def test_run_sweeps_delivers_without_a_worker(receiver, capsys):
    EndpointFactory(url=receiver.url)
    _record(1)

    call_command("run_sweeps", "--only", "webhooks_deliver", "--only", "webhooks_prune")

    output = capsys.readouterr().out
    assert '"sent": 1' in output
    assert "webhooks_prune" in output
    assert len(receiver.requests) == 1
