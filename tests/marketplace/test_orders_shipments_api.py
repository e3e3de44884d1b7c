from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from marketplace.models import OrderEvent, Shipment, TrackingEvent
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import (
    OrderFactory,
    SellerMemberFactory,
    ShipmentFactory,
    TrackingEventFactory,
)

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
SHIPMENTS = "/api/v1/shipments/"


# --- tracking -----------------------------------------------------------------------------------


def test_tracking_before_anything_shipped_has_null_fields(client_for):
    order = OrderFactory(status="processing")

    response = client_for(order.buyer).get(f"{ORDERS}{order.pk}/tracking/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "processing",
        "carrier": None,
        "tracking_number": None,
        "expected_delivery": None,
        "events": [],
    }


def test_tracking_shows_the_latest_shipment_and_its_events_in_order(client_for):
    order = OrderFactory(status="shipped")
    ShipmentFactory(order=order, carrier="UPS", tracking_number="OLD1")
    latest = ShipmentFactory(order=order, carrier="DHL", tracking_number="NEW1", expected_delivery=date(2026, 12, 1))
    now = timezone.now().replace(microsecond=0)
    TrackingEventFactory(shipment=latest, occurred_at=now, status="out_for_delivery", location="Cape Town")
    TrackingEventFactory(shipment=latest, occurred_at=now - timedelta(hours=5), status="in_transit")

    data = client_for(order.buyer).get(f"{ORDERS}{order.pk}/tracking/").json()

    assert (data["status"], data["carrier"], data["tracking_number"], data["expected_delivery"]) == (
        "shipped",
        "DHL",
        "NEW1",
        "2026-12-01",
    )
    assert [(event["status"], event["location"]) for event in data["events"]] == [
        ("in_transit", "Johannesburg"),
        ("out_for_delivery", "Cape Town"),
    ]
    assert set(data["events"][0]) == {"occurred_at", "status", "location", "description"}


def test_tracking_needs_credentials(api_client):
    order = OrderFactory()

    assert api_client.get(f"{ORDERS}{order.pk}/tracking/").status_code == 401


# --- shipments ----------------------------------------------------------------------------------


def _shipment_body(for_order, **overrides):
    body = {"order": for_order.pk, "carrier": "DHL", "tracking_number": "JD0001", "expected_delivery": "2026-12-03"}
    body.update(overrides)
    return body


def test_a_seller_member_records_a_shipment(client_for):
    order = OrderFactory(status="processing")
    member = SellerMemberFactory(seller=order.seller)

    response = client_for(member).post(SHIPMENTS, _shipment_body(order), format="json")

    assert response.status_code == 201
    shipment = Shipment.objects.get()
    assert response.json() == {
        "id": shipment.pk,
        "order": order.pk,
        "carrier": "DHL",
        "tracking_number": "JD0001",
        "shipped_at": None,
        "expected_delivery": "2026-12-03",
        "delivered_at": None,
        "events": [],
        "created_at": response.json()["created_at"],
    }
    event = OrderEvent.objects.get(kind="shipment_created")
    assert (event.order, event.actor, event.note) == (order, member, "DHL JD0001")


def test_integration_records_a_shipment_for_any_order(client_for, integration_user):
    order = OrderFactory(status="processing")

    assert client_for(integration_user).post(SHIPMENTS, _shipment_body(order), format="json").status_code == 201


def test_the_buyer_may_not_record_a_shipment(client_for):
    order = OrderFactory(status="processing")

    response = client_for(order.buyer).post(SHIPMENTS, _shipment_body(order), format="json")

    assert response.status_code == 403
    assert Shipment.objects.count() == 0


def test_a_seller_member_who_bought_elsewhere_may_not_ship_that_order(client_for):
    member = SellerMemberFactory()
    order = OrderFactory(buyer=member, status="processing")

    response = client_for(member).post(SHIPMENTS, _shipment_body(order), format="json")

    assert response.status_code == 403
    assert Shipment.objects.count() == 0


def test_another_sellers_order_is_400_as_if_it_did_not_exist(client_for):
    order = OrderFactory(status="processing")

    response = client_for(SellerMemberFactory()).post(SHIPMENTS, _shipment_body(order), format="json")

    assert response.status_code == 400
    assert response.json()["order"] == [f'Invalid pk "{order.pk}" - object does not exist.']
    assert Shipment.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.BUYER, Role.FINANCE])
def test_roles_without_a_store_or_add_shipment_get_403(client_for, role):
    order = OrderFactory(status="processing")

    response = client_for(UserFactory(role=role)).post(SHIPMENTS, _shipment_body(order), format="json")

    assert response.status_code == 403
    assert Shipment.objects.count() == 0


@pytest.mark.parametrize("status", ["cancelled", "delivered"])
def test_closed_orders_cannot_get_a_shipment(client_for, status):
    order = OrderFactory(status=status)
    member = SellerMemberFactory(seller=order.seller)

    response = client_for(member).post(SHIPMENTS, _shipment_body(order), format="json")

    assert response.status_code == 409
    assert Shipment.objects.count() == 0
    assert not OrderEvent.objects.exists()


def test_a_duplicate_tracking_number_is_400(client_for):
    order = OrderFactory(status="processing")
    ShipmentFactory(carrier="DHL", tracking_number="JD0001")
    member = SellerMemberFactory(seller=order.seller)

    response = client_for(member).post(SHIPMENTS, _shipment_body(order), format="json")

    assert response.status_code == 400
    assert "tracking_number" in response.json()
    assert Shipment.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"order": "x"}, "order"),
        ({"order": 10**30}, "order"),
        ({"carrier": ""}, "carrier"),
        ({"carrier": "D\x00HL"}, "carrier"),
        ({"tracking_number": "x" * 101}, "tracking_number"),
        ({"expected_delivery": "soon"}, "expected_delivery"),
        ({"shipped_at": "9999-12-31T23:59:59-23:00"}, "shipped_at"),
    ],
)
def test_bad_shipment_input_is_400_and_writes_nothing(client_for, integration_user, overrides, field):
    order = OrderFactory(status="processing")

    response = client_for(integration_user).post(SHIPMENTS, _shipment_body(order, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Shipment.objects.count() == 0


def test_shipments_are_scoped_like_orders(client_for, staff_user):
    mine = ShipmentFactory()
    other = ShipmentFactory()
    member = SellerMemberFactory(seller=mine.order.seller)

    def ids(client):
        return [row["id"] for row in client.get(SHIPMENTS).json()["results"]]

    assert ids(client_for(mine.order.buyer)) == [mine.pk]
    assert ids(client_for(member)) == [mine.pk]
    assert sorted(ids(client_for(staff_user))) == sorted([mine.pk, other.pk])
    assert client_for(member).get(f"{SHIPMENTS}{other.pk}/").status_code == 404
    assert client_for(mine.order.buyer).get(f"{SHIPMENTS}{other.pk}/").status_code == 404
    assert client_for(member).get(f"{SHIPMENTS}{mine.pk}/").status_code == 200


def test_shipments_filter_by_order(client_for, staff_user):
    shipment = ShipmentFactory()
    ShipmentFactory()

    rows = client_for(staff_user).get(SHIPMENTS, {"order": shipment.order_id}).json()["results"]

    assert [row["id"] for row in rows] == [shipment.pk]


def test_shipments_need_credentials(api_client):
    shipment = ShipmentFactory()

    assert api_client.get(SHIPMENTS).status_code == 401
    assert api_client.get(f"{SHIPMENTS}{shipment.pk}/").status_code == 401
    assert api_client.post(SHIPMENTS, _shipment_body(shipment.order), format="json").status_code == 401


@pytest.mark.parametrize("page_size", [5, 50])
def test_shipment_list_query_count_does_not_depend_on_page_size(
    client_for, staff_user, django_assert_num_queries, page_size
):
    for shipment in ShipmentFactory.create_batch(12):
        TrackingEventFactory(shipment=shipment)
    client = client_for(staff_user)

    with django_assert_num_queries(4):  # token+user, count, page, tracking events
        response = client.get(SHIPMENTS, {"page_size": page_size})

    assert len(response.json()["results"]) == min(page_size, 12)
    assert len(response.json()["results"][0]["events"]) == 1


# --- tracking events ----------------------------------------------------------------------------


def _events_url(shipment):
    return f"{SHIPMENTS}{shipment.pk}/events/"


def test_a_seller_member_adds_a_tracking_event(client_for):
    shipment = ShipmentFactory()
    member = SellerMemberFactory(seller=shipment.order.seller)

    response = client_for(member).post(
        _events_url(shipment),
        {"occurred_at": "2026-11-20T08:30:00Z", "status": "in_transit", "location": "Durban"},
        format="json",
    )

    assert response.status_code == 201
    event = TrackingEvent.objects.get()
    assert response.json() == {
        "id": event.pk,
        "shipment": shipment.pk,
        "occurred_at": "2026-11-20T08:30:00Z",
        "status": "in_transit",
        "location": "Durban",
        "description": "",
        "created_at": response.json()["created_at"],
    }
    shipment.order.refresh_from_db()
    assert shipment.order.status == "shipped"


def test_a_delivered_event_delivers_a_shipped_order_and_notifies_the_buyer(client_for, integration_user):
    shipment = ShipmentFactory()
    order = shipment.order

    response = client_for(integration_user).post(
        _events_url(shipment), {"occurred_at": "2026-11-21T12:00:00Z", "status": "delivered"}, format="json"
    )

    assert response.status_code == 201
    order.refresh_from_db()
    shipment.refresh_from_db()
    assert order.status == "delivered"
    assert shipment.delivered_at.isoformat() == "2026-11-21T12:00:00+00:00"
    event = OrderEvent.objects.get(kind="status_changed")
    assert (event.from_status, event.to_status, event.actor) == ("shipped", "delivered", integration_user)
    assert Notification.objects.get().kind == "order_status_changed"
    tracking = client_for(order.buyer).get(f"{ORDERS}{order.pk}/tracking/").json()
    assert tracking["status"] == "delivered"
    assert [event["status"] for event in tracking["events"]] == ["delivered"]


def test_a_delivered_event_twice_delivers_once(client_for, integration_user):
    shipment = ShipmentFactory()
    client = client_for(integration_user)
    body = {"occurred_at": "2026-11-21T12:00:00Z", "status": "delivered"}

    assert client.post(_events_url(shipment), body, format="json").status_code == 201
    assert client.post(_events_url(shipment), body, format="json").status_code == 201

    assert OrderEvent.objects.filter(kind="status_changed").count() == 1
    assert TrackingEvent.objects.count() == 2


def test_a_delivered_event_on_a_processing_order_leaves_its_status(client_for, integration_user):
    shipment = ShipmentFactory(order=OrderFactory(status="processing"))

    response = client_for(integration_user).post(
        _events_url(shipment), {"occurred_at": "2026-11-21T12:00:00Z", "status": "delivered"}, format="json"
    )

    assert response.status_code == 201
    shipment.order.refresh_from_db()
    assert shipment.order.status == "processing"


def test_the_buyer_may_not_add_tracking_events(client_for):
    shipment = ShipmentFactory()

    response = client_for(shipment.order.buyer).post(
        _events_url(shipment), {"occurred_at": "2026-11-21T12:00:00Z", "status": "delivered"}, format="json"
    )

    assert response.status_code == 403
    assert TrackingEvent.objects.count() == 0
    shipment.order.refresh_from_db()
    assert shipment.order.status == "shipped"


def test_another_seller_gets_404_on_tracking_events(client_for):
    shipment = ShipmentFactory()

    response = client_for(SellerMemberFactory()).post(
        _events_url(shipment), {"occurred_at": "2026-11-21T12:00:00Z", "status": "in_transit"}, format="json"
    )

    assert response.status_code == 404
    assert TrackingEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "in_transit"},
        {"occurred_at": "yesterday", "status": "in_transit"},
        {"occurred_at": "2026-11-21T12:00:00Z", "status": ""},
        {"occurred_at": "2026-11-21T12:00:00Z", "status": "x" * 41},
        {"occurred_at": "2026-11-21T12:00:00Z", "status": "in_transit", "location": "\x00"},
        {"occurred_at": "0001-01-01T00:00:00+14:00", "status": "in_transit"},
    ],
)
def test_bad_tracking_event_input_is_400(client_for, integration_user, body):
    shipment = ShipmentFactory()

    response = client_for(integration_user).post(_events_url(shipment), body, format="json")

    assert response.status_code == 400
    assert TrackingEvent.objects.count() == 0


def test_tracking_events_need_credentials(api_client):
    shipment = ShipmentFactory()

    response = api_client.post(
        _events_url(shipment), {"occurred_at": "2026-11-21T12:00:00Z", "status": "in_transit"}, format="json"
    )

    assert response.status_code == 401
