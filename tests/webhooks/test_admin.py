"""Webhooks in the console: an administrator registers an endpoint through the services (the URL
checked), pings it, replays failed deliveries in a range; a delivery's page shows its attempts and
the body sent; the integration client sees only its own; lists have constant query counts."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from tests.accounts.factories import AdminFactory, UserFactory
from tests.webhooks.factories import DeliveryFactory, EndpointFactory, EventFactory
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, EventType

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_() -> Client:
    return logged_in(AdminFactory())


def test_an_administrator_registers_an_endpoint_with_a_generated_secret(admin_client_) -> None:  # type: ignore[no-untyped-def]
    response = admin_client_.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "https://93.184.216.34/hooks", "description": "ERP", "events": ["ticket.opened"], "is_active": "on"},
    )

    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.events, endpoint.description) == (
        "https://93.184.216.34/hooks",
        ["ticket.opened"],
        "ERP",
    )
    assert endpoint.secret.startswith("whsec_")
    page = admin_client_.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    assert endpoint.secret in page.content.decode()  # behind a "Show" toggle


def test_a_private_url_is_refused_on_the_form(admin_client_, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    response = admin_client_.post(
        "/admin/webhooks/endpoint/add/",
        {"url": "https://169.254.169.254/latest", "events": ["ticket.opened"], "is_active": "on"},
    )

    assert response.status_code == 200
    assert "private, loopback or link-local" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_ping_page_queues_a_ping_delivery(admin_client_) -> None:  # type: ignore[no-untyped-def]
    endpoint = EndpointFactory()

    assert admin_client_.get(f"/admin/webhooks/endpoint/{endpoint.pk}/ping/").status_code == 200
    response = admin_client_.post(f"/admin/webhooks/endpoint/{endpoint.pk}/ping/")

    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.endpoint_id, delivery.event.type) == (endpoint.pk, EventType.PING)


def test_replaying_a_range_from_the_console(admin_client_) -> None:  # type: ignore[no-untyped-def]
    endpoint = EndpointFactory()
    now = timezone.now()
    DeliveryFactory(endpoint=endpoint, status=DeliveryStatus.FAILED, created_at=now - timedelta(hours=2))
    start, end = (
        (now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        (now + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M"),
    )

    bad = logged_in(AdminFactory()).post(
        f"/admin/webhooks/endpoint/{endpoint.pk}/replay-failed/", {"since": end, "until": start}
    )
    good = admin_client_.post(f"/admin/webhooks/endpoint/{endpoint.pk}/replay-failed/", {"since": start, "until": end})

    assert bad.status_code == 400
    assert good.status_code == 302
    assert Delivery.objects.filter(replay_of__isnull=False).count() == 1


def test_a_delivery_page_shows_the_attempts_and_the_body(admin_client_) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(
        event=EventFactory(payload={"id": 7, "status": "open"}), status=DeliveryStatus.RETRYING, attempts=1
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=timezone.now(),
        duration_ms=41,
        status_code=502,
        response_excerpt="Bad gw",
    )

    page = admin_client_.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").content.decode()

    assert "Bad gw" in page
    assert "502" in page
    assert "&quot;status&quot;: &quot;open&quot;" in page
    assert f"/admin/webhooks/delivery/{delivery.pk}/replay/" in page


def test_the_bulk_replay_queues_each_selected_delivery(admin_client_) -> None:  # type: ignore[no-untyped-def]
    deliveries = [DeliveryFactory(status=DeliveryStatus.FAILED) for _ in range(2)]

    response = admin_client_.post(
        "/admin/webhooks/delivery/",
        {"action": "replay_selected", "_selected_action": [delivery.pk for delivery in deliveries]},
    )

    assert response.status_code == 302
    assert Delivery.objects.filter(replay_of__isnull=False).count() == 2


def test_the_integration_client_sees_only_its_own_in_the_console() -> None:
    client_user = UserFactory(role=Role.INTEGRATION)
    own = EndpointFactory(owner=client_user, url="https://93.184.216.34/own")
    other = EndpointFactory(url="https://93.184.216.35/other")
    other_delivery = DeliveryFactory(endpoint=other)
    console = logged_in(client_user)

    listing = console.get("/admin/webhooks/endpoint/").content.decode()

    assert own.url in listing and other.url not in listing
    assert console.get(f"/admin/webhooks/endpoint/{other.pk}/change/").status_code == 302  # "does not exist"
    assert console.get(f"/admin/webhooks/delivery/{other_delivery.pk}/change/").status_code == 302


def test_the_delivery_list_costs_the_same_for_5_and_50_rows(admin_client_, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    endpoint = EndpointFactory()
    for _ in range(5):
        DeliveryFactory(endpoint=endpoint)
    admin_client_.get("/admin/webhooks/delivery/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert admin_client_.get("/admin/webhooks/delivery/").status_code == 200
    for _ in range(45):
        DeliveryFactory(endpoint=endpoint)
    with CaptureQueriesContext(connection) as many:
        assert admin_client_.get("/admin/webhooks/delivery/").status_code == 200

    assert len(many) == len(few)


def test_support_cannot_open_the_webhook_console() -> None:
    console = logged_in(UserFactory(role=Role.SUPPORT))

    assert console.get("/admin/webhooks/endpoint/").status_code == 403
    assert console.get("/admin/webhooks/delivery/").status_code == 403
