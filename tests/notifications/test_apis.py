"""``/api/v1/notifications/``: the caller's own, newest first, read / read-all."""

import pytest
from django.urls import reverse

from marketplace.notices import Kind
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications-list")
READ_ALL = reverse("notifications-read-all")


def read(notification_id: int) -> str:
    return reverse("notifications-read", args=[notification_id])


def test_the_list_shows_the_callers_own_newest_first(client_for):
    buyer = BuyerFactory()
    first = NotificationFactory(recipient=buyer, kind=Kind.INVOICE_ISSUED, title="Invoice", link="/orders/1/")
    second = NotificationFactory(recipient=buyer, kind=Kind.REFUND_ISSUED, title="Refund")
    NotificationFactory()  # someone else's
    response = client_for(buyer).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [second.pk, first.pk]
    assert body["results"][1] == {
        "id": first.pk,
        "kind": "invoice_issued",
        "title": "Invoice",
        "body": "Something happened.",
        "link": "/orders/1/",
        "created_at": body["results"][1]["created_at"],
        "read_at": None,
    }


def test_filters_unread_and_kind(client_for):
    buyer = BuyerFactory()
    unread = NotificationFactory(recipient=buyer, kind=Kind.REFUND_ISSUED)
    seen = NotificationFactory(recipient=buyer, kind=Kind.INVOICE_ISSUED)
    client = client_for(buyer)
    assert client.post(read(seen.pk)).status_code == 200
    assert [row["id"] for row in client.get(LIST, {"unread": "true"}).json()["results"]] == [unread.pk]
    assert [row["id"] for row in client.get(LIST, {"unread": "false"}).json()["results"]] == [seen.pk]
    assert [row["id"] for row in client.get(LIST, {"kind": "refund_issued"}).json()["results"]] == [unread.pk]
    assert client.get(LIST, {"kind": "nope"}).status_code == 400


def test_read_is_idempotent_and_keeps_the_first_time(client_for):
    buyer = BuyerFactory()
    notification = NotificationFactory(recipient=buyer)
    client = client_for(buyer)
    first = client.post(read(notification.pk))
    assert first.status_code == 200
    assert first.json()["id"] == notification.pk
    assert first.json()["read_at"] is not None
    again = client.post(read(notification.pk))
    assert again.status_code == 200
    assert again.json()["read_at"] == first.json()["read_at"]


def test_someone_elses_notification_is_404_and_stays_unread(client_for):
    notification = NotificationFactory()
    response = client_for(BuyerFactory()).post(read(notification.pk))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert client_for(BuyerFactory()).get(reverse("notifications-detail", args=[notification.pk])).status_code == 404


def test_read_all_marks_only_the_callers(client_for):
    buyer = BuyerFactory()
    NotificationFactory.create_batch(3, recipient=buyer)
    other = NotificationFactory()
    response = client_for(buyer).post(READ_ALL)
    assert response.status_code == 200
    assert response.json() == {"updated": 3}
    assert not Notification.objects.filter(recipient=buyer, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert client_for(buyer).post(READ_ALL).json() == {"updated": 0}


def test_without_credentials_every_endpoint_is_401(api_client):
    notification = NotificationFactory()
    assert api_client.get(LIST).status_code == 401
    assert api_client.post(read(notification.pk)).status_code == 401
    assert api_client.post(READ_ALL).status_code == 401


def test_an_inactive_user_is_refused(client_for):
    buyer = BuyerFactory()
    client = client_for(buyer)
    buyer.is_active = False
    buyer.save()
    assert client.get(LIST).status_code in (401, 403)


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_query_count_does_not_grow_with_the_page(client_for, django_assert_num_queries, page_size):
    buyer = BuyerFactory()
    NotificationFactory.create_batch(12, recipient=buyer)
    client = client_for(buyer)
    # token+user, count, page
    with django_assert_num_queries(3):
        response = client.get(LIST, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 12)
