"""The sender with several workers at once, on real PostgreSQL (threads, each with its own
connection): each event reaches each endpoint once, the per-endpoint limit holds across workers,
and a hanging endpoint holds only its own deliveries."""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.utils import requires_postgres, run_at_once
from tests.webhooks.factories import EndpointFactory
from tests.webhooks.receiver import Receiver, running_receiver
from webhooks.models import Delivery, DeliveryStatus, EventType
from webhooks.services import deliveries as deliveries_module
from webhooks.services import events as events_module
from webhooks.services.events import webhook_event_record
from webhooks.services.sending import webhook_endpoint_deliver, webhook_events_dispatch

pytestmark = [
    requires_postgres,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_tasks(monkeypatch):  # type: ignore[no-untyped-def]
    """Committed for real here: the tasks queued after commit (eager in tests) would dispatch and
    send before the workers start. The workers below are the only senders."""
    monkeypatch.setattr(events_module, "_queue_dispatch", lambda: None)
    monkeypatch.setattr(deliveries_module, "_queue_endpoint", lambda endpoint_id: lambda: None)


@pytest.fixture(autouse=True)
def _sender_settings(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_CONNECT_TIMEOUT = 2.0
    settings.WEBHOOKS_TIMEOUT = 10.0
    settings.WEBHOOKS_BATCH_SIZE = 25


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    with running_receiver() as first, running_receiver() as second, running_receiver() as third:
        yield [first, second, third]


def _record(count: int) -> None:
    for index in range(count):
        webhook_event_record(event_type=EventType.TICKET_OPENED, resource_id=900_000 + index, now=T0)


def test_four_workers_at_once_deliver_each_event_once_to_each_endpoint(receivers):
    endpoints = [EndpointFactory(url=receiver.url) for receiver in receivers]
    _record(120)

    def worker(index: int) -> tuple[int, int]:
        dispatched = webhook_events_dispatch(now=T0)["deliveries"]
        sent = 0
        for offset in range(len(endpoints)):
            endpoint = endpoints[(index + offset) % len(endpoints)]
            sent += webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"]
        return dispatched, sent

    results = run_at_once(4, worker)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(result[0] for result in results) == 360  # type: ignore[index]
    assert sum(result[1] for result in results) == 360  # type: ignore[index]
    for receiver in receivers:
        counts = Counter(receiver.event_ids())
        assert len(counts) == 120
        assert set(counts.values()) == {1}
    assert Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED, attempts=1).count() == 360


def test_the_endpoint_limit_holds_across_workers(receivers, settings):
    settings.WEBHOOKS_ENDPOINT_CONCURRENCY = 2
    receiver = receivers[0]
    receiver.hold = threading.Event()
    endpoint = EndpointFactory(url=receiver.url)
    _record(12)
    webhook_events_dispatch(now=T0)

    def worker(index: int) -> int:
        return webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"]

    threads_done: list[object] = []
    runner = threading.Thread(target=lambda: threads_done.extend(run_at_once(4, worker)))
    runner.start()
    deadline = time.monotonic() + 10
    while len(receiver.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # give the other workers time to (not) send a third
    assert receiver.in_flight == 2  # two requests at once; the rows claimed for those slots wait their turn
    assert 2 <= Delivery.objects.filter(status=DeliveryStatus.SENDING).count() <= 12
    receiver.hold.set()
    runner.join(timeout=30)

    assert sum(threads_done) == 12  # type: ignore[arg-type]
    assert receiver.most_in_flight == 2
    assert sorted(Counter(receiver.event_ids()).values()) == [1] * 12


def test_a_hanging_endpoint_does_not_delay_another(receivers):
    hanging, healthy = receivers[0], receivers[1]
    hanging.hold = threading.Event()
    slow = EndpointFactory(url=hanging.url)
    fast = EndpointFactory(url=healthy.url)
    _record(10)
    webhook_events_dispatch(now=T0)

    results: list[object] = []
    worker = threading.Thread(target=lambda: results.extend(run_at_once(1, lambda index: _deliver(slow.pk))))
    worker.start()
    deadline = time.monotonic() + 10
    while not hanging.requests and time.monotonic() < deadline:
        time.sleep(0.02)

    # The slow endpoint's worker is stuck in its requests; another worker serves the other endpoint.
    assert webhook_endpoint_deliver(endpoint_id=fast.pk, now=T0)["sent"] == 10
    assert len(healthy.requests) == 10
    assert Delivery.objects.filter(endpoint=slow, status=DeliveryStatus.SUCCEEDED).count() == 0

    hanging.hold.set()
    worker.join(timeout=30)
    assert results == [10]


def _deliver(endpoint_id: int) -> int:
    return webhook_endpoint_deliver(endpoint_id=endpoint_id, now=T0)["sent"]
