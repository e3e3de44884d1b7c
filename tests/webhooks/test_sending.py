"""The sender against a real HTTP receiver on loopback: what it sends (signed body, headers), how it
retries (backoff, timeouts, the retry window), when it gives up (endpoint paused, owner told once),
replay and ping, the address check at delivery time, and the fan-out."""

import hashlib
import hmac
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from tests.accounts.factories import StaffFactory
from tests.webhooks.factories import EndpointFactory
from tests.webhooks.receiver import Receiver, running_receiver
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, Event, EventType
from webhooks.notices import Kind
from webhooks.services import sending
from webhooks.services.deliveries import deliveries_replay_failed, delivery_replay, endpoint_ping
from webhooks.services.events import webhook_event_record
from webhooks.services.sending import webhook_endpoint_deliver, webhook_events_dispatch

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # in the past: tasks run with the real clock
RESOURCE_BASE = 900_000  # ids no resource has: rendered as {"id": ..., "deleted": true} by any renderer


@pytest.fixture(autouse=True)
def _sender_settings(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on loopback
    settings.WEBHOOKS_CONNECT_TIMEOUT = 2.0
    settings.WEBHOOKS_TIMEOUT = 2.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def no_jitter(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sending.random, "uniform", lambda low, high: 1.0)


def record(count: int, *, event_type: str = EventType.TICKET_OPENED, now: datetime = T0, start: int = 0) -> list[Event]:
    return [
        webhook_event_record(event_type=event_type, resource_id=RESOURCE_BASE + start + index, now=now)
        for index in range(count)
    ]


def pending_for(endpoint: Endpoint, count: int, *, now: datetime = T0) -> list[Event]:
    events = record(count, now=now)
    webhook_events_dispatch(now=now)
    assert Delivery.objects.filter(endpoint=endpoint).count() == count
    return events


def _bookkeeping(sql: str) -> bool:
    """Savepoints and PostgreSQL's ``SET LOCAL synchronous_commit``: not work on rows."""
    return "SAVEPOINT" in sql or "synchronous_commit" in sql


def verify(request_headers: dict[str, str], body: bytes, secret: str) -> bool:
    timestamp = request_headers["X-SayPro-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request_headers["X-SayPro-Signature"], f"sha256={expected}")


# --- fan-out ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_fan_out_writes_one_delivery_per_subscribed_active_endpoint():
    tickets = EndpointFactory(events=[EventType.TICKET_OPENED])
    both = EndpointFactory(events=[EventType.REVIEW_POSTED, EventType.TICKET_OPENED])
    reviews_only = EndpointFactory(events=[EventType.REVIEW_POSTED])
    EndpointFactory(events=[EventType.TICKET_OPENED], is_active=False)
    events = record(3)

    assert webhook_events_dispatch(now=T0) == {"events": 3, "deliveries": 6}

    pairs = sorted(Delivery.objects.values_list("event_id", "endpoint_id", "status", "next_attempt_at"))
    assert pairs == sorted(
        (event.pk, endpoint.pk, DeliveryStatus.PENDING, T0) for event in events for endpoint in (tickets, both)
    )
    for event in Event.objects.all():
        assert event.dispatched_at == T0
        assert event.payload == {"id": event.resource_id, "deleted": True}
    assert not Delivery.objects.filter(endpoint=reviews_only).exists()
    # Dispatched once: a second run finds nothing.
    assert webhook_events_dispatch(now=T0) == {"events": 0, "deliveries": 0}


@pytest.mark.django_db
def test_a_ping_is_not_fanned_out_to_other_endpoints():
    pinged = EndpointFactory(events=[EventType.TICKET_OPENED])
    EndpointFactory(events=[EventType.TICKET_OPENED, EventType.PING])
    endpoint_ping(endpoint=pinged, actor=StaffFactory(), now=T0)
    record(1)
    webhook_events_dispatch(now=T0)
    assert Delivery.objects.filter(event__type=EventType.PING).count() == 1


@pytest.mark.django_db
def test_an_event_recorded_in_a_transaction_that_rolls_back_is_never_delivered(receiver):
    endpoint = EndpointFactory(url=receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(1)
        raise RuntimeError("the change failed")

    assert webhook_events_dispatch(now=T0) == {"events": 0, "deliveries": 0}
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"] == 0
    assert receiver.requests == []


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_dispatch_costs_the_same_statements_for_10_as_for_1000_events(count, settings, monkeypatch):
    settings.WEBHOOKS_BATCH_SIZE = 2000
    # One renderer call per resource type; the apps' renderers are tested (and counted) in their apps.
    monkeypatch.setattr(sending, "render_resources", lambda resource_type, ids: {pk: {"id": pk} for pk in ids})
    EndpointFactory.create_batch(3, events=[EventType.TICKET_OPENED])
    record(count)
    with CaptureQueriesContext(connection) as queries:
        assert webhook_events_dispatch(now=T0) == {"events": count, "deliveries": 3 * count}
    statements = [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]
    # The claim, the payloads' update, the fan-out.
    assert len(statements) == 3, statements


# --- what is sent -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_is_signed_with_the_endpoints_secret_and_carries_the_event(receiver):
    endpoint = EndpointFactory(url=receiver.url, secret="whsec_test_signing_secret")
    (event,) = pending_for(endpoint, 1)

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0) == {
        "sent": 1,
        "retrying": 0,
        "failed": 0,
        "more": 0,
    }

    (request,) = receiver.requests
    delivery = Delivery.objects.get()
    assert request.path == "/hooks/"
    assert verify(request.headers, request.body, "whsec_test_signing_secret")
    assert not verify(request.headers, request.body, "another secret")
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "SayPro-Webhooks/1"
    assert request.headers["X-SayPro-Event-Id"] == str(event.pk)
    assert request.headers["X-SayPro-Event-Type"] == "ticket.opened"
    assert request.headers["X-SayPro-Delivery-Id"] == str(delivery.pk)
    assert request.headers["Host"] == receiver.url.split("/")[2]
    assert json.loads(request.body) == {
        "id": event.pk,
        "type": "ticket.opened",
        "created_at": "2026-12-01T09:00:00Z",
        "data": {"id": event.resource_id, "deleted": True},
    }
    assert request.body == json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":")).encode()
    assert (delivery.status, delivery.attempts, delivery.delivered_at, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED,
        1,
        T0,
        204,
    )
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.number, attempt.started_at, attempt.status_code, attempt.error) == (1, T0, 204, "")


@pytest.mark.django_db
def test_after_a_500_it_retries_with_exponential_backoff_sending_the_same_event_and_bytes(receiver, no_jitter):
    receiver.script = [500, 500]
    receiver.answer = b"upstream exploded \xff"
    endpoint = EndpointFactory(url=receiver.url)
    pending_for(endpoint, 1)

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["retrying"] == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.RETRYING,
        1,
        T0 + timedelta(seconds=30),
    )
    assert DeliveryAttempt.objects.get().response_excerpt == "upstream exploded \ufffd"

    # Not due yet: nothing is sent.
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0 + timedelta(seconds=29))["retrying"] == 0
    assert len(receiver.requests) == 1

    second = T0 + timedelta(seconds=30)
    webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=second)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, second + timedelta(seconds=60))

    third = second + timedelta(seconds=60)
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=third)["sent"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at, delivery.first_attempt_at) == (
        DeliveryStatus.SUCCEEDED,
        3,
        third,
        T0,
    )
    assert len({request.headers["X-SayPro-Event-Id"] for request in receiver.requests}) == 1
    assert len({request.body for request in receiver.requests}) == 1
    assert [(a.number, a.status_code) for a in DeliveryAttempt.objects.all()] == [(1, 500), (2, 500), (3, 204)]


@pytest.mark.django_db
def test_a_timeout_is_a_failure_retried_after_a_jittered_delay(receiver, settings):
    settings.WEBHOOKS_TIMEOUT = 0.3
    receiver.delay = 1.5
    endpoint = EndpointFactory(url=receiver.url)
    pending_for(endpoint, 1)

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["retrying"] == 1

    delivery = Delivery.objects.get()
    # 30 s ± 20 %.
    assert T0 + timedelta(seconds=24) <= delivery.next_attempt_at <= T0 + timedelta(seconds=36)
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None
    assert "timed out" in attempt.error
    assert 250 <= attempt.duration_ms < 1500


def test_backoff_doubles_from_the_first_delay_up_to_the_cap(settings, no_jitter):
    assert [sending.retry_delay(attempts).total_seconds() for attempts in (1, 2, 3, 9, 10, 11, 40)] == [
        30,
        60,
        120,
        7680,
        14400,
        14400,
        14400,
    ]


@pytest.mark.django_db
def test_a_redirect_is_not_followed_and_counts_as_a_failure(receiver):
    receiver.status = 302
    endpoint = EndpointFactory(url=receiver.url)
    pending_for(endpoint, 1)
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["retrying"] == 1
    assert DeliveryAttempt.objects.get().error == "redirect (302) not followed"


@pytest.mark.django_db
def test_after_the_retry_window_it_gives_up_pauses_the_endpoint_and_tells_the_owner_once(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ENDPOINT_CONCURRENCY = 1
    settings.WEBHOOKS_BATCH_SIZE = 1  # one delivery a round: the first to give up pauses the endpoint
    receiver.status = 500
    owner = StaffFactory(email="integrations@example.com")
    endpoint = EndpointFactory(url=receiver.url, owner=owner)
    pending_for(endpoint, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["retrying"] == 2
        # Inside the window: still retrying.
        late = T0 + settings.WEBHOOKS_RETRY_WINDOW - timedelta(seconds=1)
        assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=late)["retrying"] == 2
        assert mail.outbox == []

        after = late + timedelta(hours=1)  # the next retry is due, past the window
        assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=after) == {
            "sent": 0,
            "retrying": 0,
            "failed": 1,
            "more": 0,
        }
        # Paused: the other delivery is not sent, by this run or the next.
        assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=after + timedelta(hours=1))["failed"] == 0

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.paused_at) == (False, after)
    assert "failed" in endpoint.pause_reason
    assert len(receiver.requests) == 5
    assert sorted(Delivery.objects.values_list("status", flat=True)) == [DeliveryStatus.FAILED, DeliveryStatus.RETRYING]
    notice = Notification.objects.get(kind=Kind.WEBHOOK_PAUSED)
    assert (notice.recipient_id, notice.link) == (owner.pk, f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    assert [message.to for message in mail.outbox] == [["integrations@example.com"]]


@pytest.mark.django_db
def test_deliveries_of_a_paused_endpoint_stay_pending_until_it_is_turned_on(receiver):
    endpoint = EndpointFactory(url=receiver.url, is_active=False)
    EndpointFactory(url=receiver.url)  # subscribed and active: gets its own delivery
    record(1)
    webhook_events_dispatch(now=T0)
    assert not Delivery.objects.filter(endpoint=endpoint).exists()  # off when the event came
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=True)
    record(1, start=1)
    webhook_events_dispatch(now=T0)
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"] == 0
    assert Delivery.objects.get(endpoint=endpoint).status == DeliveryStatus.PENDING

    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=True)
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"] == 1


# --- by hand: replay and ping ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_replay_delivers_the_same_event_again(receiver, django_capture_on_commit_callbacks):
    endpoint = EndpointFactory(url=receiver.url)
    (event,) = pending_for(endpoint, 1)
    webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)
    original = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):  # the endpoint's sender runs (eager task)
        replay = delivery_replay(delivery=original, actor=StaffFactory(), now=T0 + timedelta(minutes=5))

    replay.refresh_from_db()
    assert (replay.status, replay.replay_of_id) == (DeliveryStatus.SUCCEEDED, original.pk)
    assert receiver.event_ids() == [str(event.pk), str(event.pk)]
    assert receiver.requests[0].body == receiver.requests[1].body
    assert receiver.requests[1].headers["X-SayPro-Delivery-Id"] == str(replay.pk)


@pytest.mark.django_db
def test_replaying_the_failed_deliveries_of_a_range_sends_each_again(receiver, settings):
    receiver.status = 500
    endpoint = EndpointFactory(url=receiver.url)
    events = pending_for(endpoint, 3)
    webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)
    webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0 + settings.WEBHOOKS_RETRY_WINDOW)
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 3
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=True, paused_at=None)
    receiver.status = 204
    receiver.requests.clear()
    now = T0 + timedelta(days=2)

    assert (
        deliveries_replay_failed(
            endpoint=endpoint, since=T0 - timedelta(hours=1), until=now, actor=StaffFactory(), now=now
        )
        == 3
    )
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=now)["sent"] == 3
    assert sorted(receiver.event_ids()) == sorted(str(event.pk) for event in events)


@pytest.mark.django_db
def test_a_ping_is_delivered_to_its_endpoint(receiver):
    endpoint = EndpointFactory(url=receiver.url, events=[EventType.TICKET_OPENED])
    delivery = endpoint_ping(endpoint=endpoint, actor=StaffFactory(), now=T0)

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"] == 1

    (request,) = receiver.requests
    assert request.headers["X-SayPro-Event-Type"] == "webhook.ping"
    assert json.loads(request.body)["data"] == {"id": endpoint.pk, "url": receiver.url, "events": ["ticket.opened"]}
    assert verify(request.headers, request.body, endpoint.secret)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED


# --- where it may send -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_in_production_a_delivery_to_a_loopback_address_is_refused_and_logged(receiver, settings):
    endpoint = EndpointFactory(url=receiver.url.replace("http://", "https://"))
    pending_for(endpoint, 1)
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["retrying"] == 1

    assert receiver.requests == []
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error == "refused: The endpoint's host now resolves into a private network."
    assert Delivery.objects.get().status == DeliveryStatus.RETRYING


# --- limits and leases -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_deliveries_already_in_flight_count_against_the_endpoints_limit(receiver, settings):
    settings.WEBHOOKS_ENDPOINT_CONCURRENCY = 3
    endpoint = EndpointFactory(url=receiver.url)
    pending_for(endpoint, 6)
    held = list(Delivery.objects.order_by("id").values_list("pk", flat=True)[:2])
    # Two claimed a minute ago by another worker, still being sent.
    Delivery.objects.filter(pk__in=held).update(
        status=DeliveryStatus.SENDING, attempts=1, last_attempt_at=T0 - timedelta(minutes=1)
    )

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"] == 4

    assert receiver.most_in_flight == 1  # one slot free: one request at a time, one after another
    assert set(Delivery.objects.filter(pk__in=held).values_list("status", flat=True)) == {DeliveryStatus.SENDING}

    # Every slot held: nothing is sent.
    settings.WEBHOOKS_ENDPOINT_CONCURRENCY = 2
    record(1, start=50)
    webhook_events_dispatch(now=T0)
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"] == 0


@pytest.mark.django_db
def test_a_delivery_whose_worker_died_is_sent_again_after_its_lease(receiver, settings):
    endpoint = EndpointFactory(url=receiver.url)
    pending_for(endpoint, 1)
    Delivery.objects.update(
        status=DeliveryStatus.SENDING, attempts=1, first_attempt_at=T0, last_attempt_at=T0 - timedelta(minutes=1)
    )
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"] == 0  # the lease holds

    later = T0 - timedelta(minutes=1) + settings.WEBHOOKS_SENDING_LEASE + timedelta(seconds=1)
    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=later)["sent"] == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 8])
def test_delivering_a_round_costs_the_same_statements_whatever_its_size(count, receiver, settings):
    # Fewer due than free slots: one round, and the claim shows nothing more is due.
    settings.WEBHOOKS_ENDPOINT_CONCURRENCY = 10
    endpoint = EndpointFactory(url=receiver.url)
    pending_for(endpoint, count)
    with CaptureQueriesContext(connection) as queries:
        assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["sent"] == count
    statements = [query["sql"] for query in queries.captured_queries if not _bookkeeping(query["sql"])]
    # Claim: lock, lease release, in-flight count, claim, read. Mark: update, attempts.
    assert len(statements) == 7, statements


def test_a_slot_sends_as_many_requests_in_a_round_as_fit_in_half_the_lease(settings):
    settings.WEBHOOKS_SENDING_LEASE = timedelta(seconds=120)
    settings.WEBHOOKS_CONNECT_TIMEOUT, settings.WEBHOOKS_TIMEOUT = 3.0, 10.0
    assert sending.requests_per_slot() == 4  # 4 x 13 s <= 60 s
    settings.WEBHOOKS_TIMEOUT = 100.0
    assert sending.requests_per_slot() == 1  # never less than one


@pytest.fixture
def tls_receiver(tmp_path) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    """The receiver behind TLS with a self-signed certificate for ``localhost`` (not trusted)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *[
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=localhost",
                "-days",
                "1",
                "-keyout",
            ],
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    with running_receiver() as running:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        running.server.socket = context.wrap_socket(running.server.socket, server_side=True)
        yield running


@pytest.mark.django_db
def test_over_https_the_certificate_is_checked(tls_receiver):
    port = tls_receiver.url.split(":")[2].split("/")[0]
    endpoint = EndpointFactory(url=f"https://localhost:{port}/hooks/")
    pending_for(endpoint, 1)

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk, now=T0)["retrying"] == 1

    assert "CERTIFICATE_VERIFY_FAILED" in DeliveryAttempt.objects.get().error
    assert tls_receiver.requests == []
