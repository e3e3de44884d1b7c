"""The notifications page: only the user's own, newest first, unread highlighted, mark read."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from marketplace.notices import Kind
from notifications.models import Notification
from notifications.services.notify import notify
from tests.accounts.factories import BuyerFactory

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notice(user: User, title: str, *, link: str = "", minutes_ago: int = 0) -> Notification:
    (row,) = notify(recipients=[user], kind=Kind.ORDER_STATUS_CHANGED, title=title, link=link, send_email=False)
    if minutes_ago:
        Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return row


def test_page_lists_only_the_users_own_notifications_newest_first() -> None:
    buyer, other = BuyerFactory(), BuyerFactory()
    notice(buyer, "Order SP-2026-000001 has shipped", minutes_ago=60)
    notice(buyer, "Order SP-2026-000002 was delivered", link="/messages/", minutes_ago=5)
    notice(other, "Someone else's receipt")

    response = logged_in(buyer).get(reverse("notifications:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else" not in html
    assert html.index("SP-2026-000002") < html.index("SP-2026-000001")
    assert '<a href="/messages/">Order SP-2026-000002 was delivered</a>' in html
    assert "2 unread of 2" in html
    assert html.count('class="notification is-unread"') == 2


def test_list_uses_a_fixed_number_of_queries(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    buyer = BuyerFactory()
    for number in range(25):
        notice(buyer, f"Notice {number}")
    client = logged_in(buyer)

    # session, user, seller membership (navigation), paginator count, page rows, unread count
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications:list"))

    assert response.status_code == 200


def test_page_is_paginated() -> None:
    buyer = BuyerFactory()
    for number in range(25):
        notice(buyer, f"Notice number {number:02d}", minutes_ago=100 - number)
    client = logged_in(buyer)

    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list") + "?page=2").content.decode()

    assert "Page 1 of 2" in first and "Notice number 24" in first and "Notice number 04" not in first
    assert "Page 2 of 2" in second and "Notice number 04" in second and "Notice number 24" not in second


def test_mark_one_read_changes_only_that_notification_and_returns_to_the_list() -> None:
    buyer = BuyerFactory()
    first = notice(buyer, "First")
    second = notice(buyer, "Second")
    client = logged_in(buyer)

    response = client.post(reverse("notifications:read", args=[first.pk]), {"next": "/notifications/?page=1"})

    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    html = client.get(reverse("notifications:list")).content.decode()
    assert "1 unread of 2" in html


def test_mark_read_of_someone_elses_notification_is_not_found_and_changes_nothing() -> None:
    buyer, other = BuyerFactory(), BuyerFactory()
    theirs = notice(other, "Theirs")

    response = logged_in(buyer).post(reverse("notifications:read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_reads_only_the_users_own() -> None:
    buyer, other = BuyerFactory(), BuyerFactory()
    notice(buyer, "One")
    notice(buyer, "Two")
    theirs = notice(other, "Theirs")
    client = logged_in(buyer)

    response = client.post(reverse("notifications:read-all"))

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")
    assert Notification.objects.filter(recipient=buyer, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    html = client.get(reverse("notifications:list")).content.decode()
    assert "All caught up" in html
    assert "Mark all read" not in html
    assert 'class="badge"' not in html


def test_next_pointing_off_site_falls_back_to_the_list() -> None:
    buyer = BuyerFactory()

    response = logged_in(buyer).post(reverse("notifications:read-all"), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("notifications:list")


def test_mark_read_needs_post_and_csrf() -> None:
    buyer = BuyerFactory()
    row = notice(buyer, "One")
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)

    assert client.get(reverse("notifications:read", args=[row.pk])).status_code == 405
    assert client.post(reverse("notifications:read", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.read_at is None


def test_empty_page_says_so() -> None:
    html = logged_in(BuyerFactory()).get(reverse("notifications:list")).content.decode()

    assert "No notifications yet" in html
