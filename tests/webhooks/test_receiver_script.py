"""``scripts/webhook_receiver.py`` (the README's receiver, what the demo endpoint points at) accepts
what the sender signs and refuses anything else."""

import hashlib
import hmac
import importlib.util
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings as django_settings

from tests.webhooks.factories import EndpointFactory
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, EventType
from webhooks.services.events import webhook_event_record
from webhooks.services.sending import webhook_endpoint_deliver, webhook_events_dispatch

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _load() -> ModuleType:
    path = Path(django_settings.BASE_DIR) / "scripts" / "webhook_receiver.py"
    spec = importlib.util.spec_from_file_location("webhook_receiver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


receiver_script = _load()


@pytest.fixture
def script_url() -> Iterator[str]:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), receiver_script.make_handler(receiver_script.DEFAULT_SECRET, "/webhooks/")
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _loopback(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


@pytest.mark.django_db
def test_the_receiver_script_answers_204_to_the_sender_and_401_to_a_wrong_secret(script_url, capsys):
    good = EndpointFactory(url=script_url, secret=receiver_script.DEFAULT_SECRET)
    bad = EndpointFactory(url=script_url, secret="whsec_not_the_receivers_secret")
    event = webhook_event_record(event_type=EventType.TICKET_OPENED, resource_id=900_001, now=T0)
    webhook_events_dispatch(now=T0)

    assert webhook_endpoint_deliver(endpoint_id=good.pk, now=T0)["sent"] == 1
    assert webhook_endpoint_deliver(endpoint_id=bad.pk, now=T0)["retrying"] == 1

    assert Delivery.objects.get(endpoint=good).status == DeliveryStatus.SUCCEEDED
    assert DeliveryAttempt.objects.get(delivery__endpoint=bad).status_code == 401
    output = capsys.readouterr().out
    assert f"event {event.pk}  ticket.opened" in output
    assert "resource 900001" in output
    assert "401 bad signature" in output


def test_a_stale_timestamp_or_a_changed_body_is_refused():
    secret = receiver_script.DEFAULT_SECRET
    body = b'{"id":1}'
    now = time.time()
    timestamp = str(int(now))
    signature = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    check = receiver_script.signature_is_valid
    assert check(secret=secret, timestamp=timestamp, body=body, signature=signature, now=now)
    assert not check(secret=secret, timestamp=timestamp, body=b'{"id":2}', signature=signature, now=now)
    assert not check(secret=secret, timestamp=timestamp, body=body, signature=signature, now=now + 301)
    assert not check(secret=secret, timestamp="yesterday", body=body, signature=signature, now=now)
