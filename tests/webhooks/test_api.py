"""The webhooks API as an integrator uses it: register an endpoint (the secret shown once), read
and change it, the delivery log with every attempt, replay one delivery or every failed one in a
range, ping. An administrator sees every endpoint, the integration client its own; others nothing."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.webhooks.factories import DeliveryFactory, EndpointFactory, EventFactory
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, Event, EventType

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.216.34/hooks/saypro"  # an address literal: no DNS needed


@pytest.fixture
def integration(integration_user, client_for):  # type: ignore[no-untyped-def]
    return client_for(integration_user)


@pytest.fixture
def production(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    return settings


def test_the_integration_client_registers_an_endpoint_and_sees_its_secret_once(integration, integration_user) -> None:  # type: ignore[no-untyped-def]
    response = integration.post(
        "/api/v1/webhooks/",
        {"url": PUBLIC_URL, "events": ["order.status_changed", "refund.issued"], "is_active": True},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["url"] == PUBLIC_URL
    assert body["events"] == ["order.status_changed", "refund.issued"]
    assert body["owner"] == integration_user.pk
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    endpoint = Endpoint.objects.get()
    assert endpoint.secret == body["secret"]
    detail = integration.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    assert "secret" not in detail
    assert detail["is_active"] is True


def test_a_given_secret_is_kept(integration) -> None:  # type: ignore[no-untyped-def]
    response = integration.post(
        "/api/v1/webhooks/",
        {"url": PUBLIC_URL, "events": ["refund.issued"], "secret": "my-own-secret-0123456789"},
        format="json",
    )

    assert response.status_code == 201
    assert Endpoint.objects.get().secret == "my-own-secret-0123456789"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://127.0.0.1/hook", "events": ["refund.issued"]}, "url"),
        ({"url": "https://10.1.2.3/hook", "events": ["refund.issued"]}, "url"),
        ({"url": "https://169.254.169.254/latest/meta-data", "events": ["refund.issued"]}, "url"),
        ({"url": "https://[::1]/hook", "events": ["refund.issued"]}, "url"),
        ({"url": "https://[::ffff:127.0.0.1]/hook", "events": ["refund.issued"]}, "url"),
        ({"url": "http://93.184.216.34/hook", "events": ["refund.issued"]}, "url"),
        ({"url": "https://user:pw@93.184.216.34/hook", "events": ["refund.issued"]}, "url"),
        ({"url": "ftp://93.184.216.34/hook", "events": ["refund.issued"]}, "url"),
        ({"url": "https://93.184.216.34/a\nb", "events": ["refund.issued"]}, "url"),
        ({"url": PUBLIC_URL, "events": []}, "events"),
        ({"url": PUBLIC_URL, "events": ["order.deleted"]}, "events"),
        ({"url": PUBLIC_URL, "events": "refund.issued"}, "events"),
        ({"url": PUBLIC_URL, "events": ["ticket.opened"]}, "events"),  # not the integration client's to read
        ({"url": PUBLIC_URL, "events": ["webhook.ping"]}, "events"),
        ({"url": PUBLIC_URL, "events": ["refund.issued"], "secret": "short"}, "secret"),
        ({"url": PUBLIC_URL, "events": ["refund.issued"], "secret": "has spaces in the secret"}, "secret"),
        ({"url": PUBLIC_URL, "events": ["refund.issued"], "is_active": "perhaps"}, "is_active"),
        ({"events": ["refund.issued"]}, "url"),
    ],
)
def test_a_bad_registration_is_a_400_naming_the_field_and_writes_nothing(integration, production, body, field) -> None:  # type: ignore[no-untyped-def]
    response = integration.post("/api/v1/webhooks/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Endpoint.objects.exists()


def test_development_allows_a_receiver_on_localhost(integration, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True

    response = integration.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:8001/webhooks/", "events": ["refund.issued"]}, format="json"
    )

    assert response.status_code == 201


def test_an_administrator_subscribes_to_any_event_and_sees_every_endpoint(client_for, integration_user) -> None:  # type: ignore[no-untyped-def]
    admin = client_for(AdminFactory())
    theirs = EndpointFactory(owner=integration_user)

    response = admin.post("/api/v1/webhooks/", {"url": PUBLIC_URL, "events": ["ticket.opened"]}, format="json")

    assert response.status_code == 201
    listed = admin.get("/api/v1/webhooks/").json()
    assert [row["id"] for row in listed["results"]] == [theirs.pk, response.json()["id"]]


def test_a_client_sees_only_its_own_endpoints(integration, integration_user) -> None:  # type: ignore[no-untyped-def]
    own = EndpointFactory(owner=integration_user)
    other = EndpointFactory(owner=UserFactory(role=Role.INTEGRATION))

    listed = integration.get("/api/v1/webhooks/").json()

    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert integration.get(f"/api/v1/webhooks/{other.pk}/").status_code == 404
    assert integration.patch(f"/api/v1/webhooks/{other.pk}/", {"is_active": False}, format="json").status_code == 404
    assert integration.post(f"/api/v1/webhooks/{other.pk}/ping/").status_code == 404
    assert integration.get(f"/api/v1/webhooks/{other.pk}/deliveries/").status_code == 404
    assert Endpoint.objects.get(pk=other.pk).is_active is True


@pytest.mark.parametrize("role", [Role.BUYER, Role.SUPPORT, Role.FINANCE, Role.MODERATOR])
def test_other_roles_have_no_part_in_webhooks(client_for, role) -> None:  # type: ignore[no-untyped-def]
    client = client_for(UserFactory(role=role))

    assert client.get("/api/v1/webhooks/").status_code == 403
    response = client.post("/api/v1/webhooks/", {"url": PUBLIC_URL, "events": ["refund.issued"]}, format="json")
    assert response.status_code == 403
    assert not Endpoint.objects.exists()


def test_turning_a_paused_endpoint_on_clears_the_pause_and_sends_what_waited(  # type: ignore[no-untyped-def]
    integration, integration_user, django_capture_on_commit_callbacks
) -> None:
    endpoint = EndpointFactory(
        owner=integration_user, is_active=False, paused_at=timezone.now(), pause_reason="Failing for 24 hours"
    )
    DeliveryFactory(endpoint=endpoint, status=DeliveryStatus.PENDING)

    with django_capture_on_commit_callbacks() as callbacks:
        response = integration.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"is_active": True}, format="json")

    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert response.json()["paused_at"] is None
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.paused_at, endpoint.pause_reason) == (True, None, "")
    assert [callback.__name__ for callback in callbacks] == ["send_webhook_deliveries"]


def test_a_patch_changes_only_what_it_names(integration, integration_user) -> None:  # type: ignore[no-untyped-def]
    endpoint = EndpointFactory(owner=integration_user, url=PUBLIC_URL, events=["refund.issued"], description="Shop")

    response = integration.patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"events": ["refund.issued", "order.status_changed"]}, format="json"
    )

    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.events == ["refund.issued", "order.status_changed"]
    assert (endpoint.url, endpoint.description) == (PUBLIC_URL, "Shop")


def test_the_delivery_log_lists_newest_first_filters_and_counts_its_queries(  # type: ignore[no-untyped-def]
    integration, integration_user, django_assert_num_queries
) -> None:
    endpoint = EndpointFactory(owner=integration_user)
    now = timezone.now()
    failed = [
        DeliveryFactory(endpoint=endpoint, status=DeliveryStatus.FAILED, created_at=now - timedelta(minutes=n))
        for n in range(3)
    ]
    DeliveryFactory(endpoint=endpoint, status=DeliveryStatus.SUCCEEDED, created_at=now - timedelta(hours=1))
    DeliveryFactory(status=DeliveryStatus.FAILED)  # another endpoint's

    # The token, the caller's permissions (two), the endpoint, the count and the page with its
    # events: the same for any number of rows.
    with django_assert_num_queries(6):
        response = integration.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/?status=failed")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [delivery.pk for delivery in failed]
    first = response.json()["results"][0]
    assert first["event"]["type"] == "ticket.opened"
    assert first["status"] == "failed"
    assert integration.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/?colour=red").status_code == 400
    assert integration.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/?status=lost").status_code == 400


def test_a_delivery_shows_every_attempt(integration, integration_user) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(endpoint=EndpointFactory(owner=integration_user), status=DeliveryStatus.RETRYING)
    for number, code in ((1, 500), (2, 503)):
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=timezone.now(),
            duration_ms=12,
            status_code=code,
            response_excerpt="upstream down",
        )

    response = integration.get(f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries/{delivery.pk}/")

    assert response.status_code == 200
    assert [(row["number"], row["status_code"]) for row in response.json()["attempt_log"]] == [(1, 500), (2, 503)]


def test_replaying_a_delivery_sends_the_same_event_again(integration, integration_user) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(endpoint=EndpointFactory(owner=integration_user), status=DeliveryStatus.FAILED)

    response = integration.post(f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries/{delivery.pk}/replay/")

    assert response.status_code == 201
    replay = Delivery.objects.get(pk=response.json()["id"])
    assert (replay.event_id, replay.replay_of_id, replay.status) == (delivery.event_id, delivery.pk, "pending")
    assert response.json()["event"]["id"] == delivery.event_id


def test_a_paused_endpoint_refuses_replay_and_ping_with_409(integration, integration_user) -> None:  # type: ignore[no-untyped-def]
    endpoint = EndpointFactory(owner=integration_user, is_active=False)
    delivery = DeliveryFactory(endpoint=endpoint, status=DeliveryStatus.FAILED)

    assert integration.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/").status_code == 409
    assert integration.post(f"/api/v1/webhooks/{endpoint.pk}/ping/").status_code == 409
    assert Delivery.objects.count() == 1


def test_replaying_a_range_queues_each_failed_delivery_once(integration, integration_user) -> None:  # type: ignore[no-untyped-def]
    endpoint = EndpointFactory(owner=integration_user)
    now = timezone.now()
    inside = [
        DeliveryFactory(endpoint=endpoint, status=DeliveryStatus.FAILED, created_at=now - timedelta(hours=n))
        for n in (1, 2)
    ]
    DeliveryFactory(endpoint=endpoint, status=DeliveryStatus.FAILED, created_at=now - timedelta(days=3))
    DeliveryFactory(endpoint=endpoint, status=DeliveryStatus.SUCCEEDED, created_at=now - timedelta(hours=1))
    body: dict[str, Any] = {
        "since": (now - timedelta(days=1)).isoformat(),
        "until": now.isoformat(),
    }

    first = integration.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/replay/", body, format="json")
    second = integration.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/replay/", body, format="json")

    assert (first.status_code, first.json()) == (200, {"queued": 2})
    assert (second.status_code, second.json()) == (200, {"queued": 0})
    assert sorted(Delivery.objects.filter(replay_of__isnull=False).values_list("replay_of_id", flat=True)) == sorted(
        delivery.pk for delivery in inside
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"since": "2026-12-02T00:00:00Z"}, "until"),
        ({"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"}, "until"),
        ({"since": "yesterday", "until": "2026-12-01T00:00:00Z"}, "since"),
    ],
)
def test_a_bad_range_is_a_400_naming_the_field(integration, integration_user, body, field) -> None:  # type: ignore[no-untyped-def]
    endpoint = EndpointFactory(owner=integration_user)

    response = integration.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/replay/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_ping_is_a_delivery_of_a_ping_event_to_that_endpoint_alone(integration, integration_user) -> None:  # type: ignore[no-untyped-def]
    endpoint = EndpointFactory(owner=integration_user, events=["refund.issued"])
    EndpointFactory(owner=integration_user, events=["refund.issued"])

    response = integration.post(f"/api/v1/webhooks/{endpoint.pk}/ping/")

    assert response.status_code == 201
    event = Event.objects.get()
    assert (event.type, event.endpoint_id, event.dispatched_at is not None) == (EventType.PING, endpoint.pk, True)
    assert event.payload == {"id": endpoint.pk, "url": endpoint.url, "events": ["refund.issued"]}
    assert list(Delivery.objects.values_list("endpoint_id", "event_id")) == [(endpoint.pk, event.pk)]
    assert response.json()["event"]["type"] == "webhook.ping"


def test_a_buyer_cannot_reach_a_delivery_even_by_id(client_for) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(event=EventFactory(payload={"id": 1}))
    buyer = client_for(BuyerFactory())

    assert buyer.get(f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries/{delivery.pk}/").status_code == 404
    assert buyer.post(f"/api/v1/webhooks/{delivery.endpoint_id}/deliveries/{delivery.pk}/replay/").status_code == 404
