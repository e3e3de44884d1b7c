"""A staff member's own time zone: chosen on the account page, used by every page and the console
(``accounts.middleware.UserTimeZoneMiddleware``); stored times stay UTC."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from core.timezones import local_time_text
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.test_admin import open_question

pytestmark = pytest.mark.django_db

NOON_UTC = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_user_chooses_a_time_zone_and_the_account_page_shows_local_time() -> None:
    user = BuyerFactory()
    client = client_for(user)

    response = client.post(reverse("account-time-zone"), {"time_zone": "Europe/Berlin"})

    assert response.status_code == 302 and response["Location"] == reverse("account")
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"
    with time_machine.travel(NOON_UTC, tick=False):
        page = client.get(reverse("account")).content.decode()
    assert "Now it is 7 Dec 2026, 13:00 CET here." in page
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in page


def test_an_unknown_time_zone_is_refused_next_to_the_field_and_nothing_changes() -> None:
    user = BuyerFactory(time_zone="Asia/Tokyo")

    response = client_for(user).post(reverse("account-time-zone"), {"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    user.refresh_from_db()
    assert user.time_zone == "Asia/Tokyo"


def test_the_default_is_the_platforms_utc() -> None:
    user = BuyerFactory(time_zone="Asia/Tokyo")
    client = client_for(user)
    client.post(reverse("account-time-zone"), {"time_zone": ""})
    user.refresh_from_db()
    assert user.time_zone == ""
    with time_machine.travel(NOON_UTC, tick=False):
        assert "Now it is 7 Dec 2026, 12:00 UTC here." in client.get(reverse("account")).content.decode()


def test_the_console_shows_times_in_the_staff_members_zone_with_its_abbreviation() -> None:
    agent = UserFactory(role=Role.SUPPORT, time_zone="America/New_York")
    conversation = open_question(subject="Where is it?", opened=NOON_UTC)
    inquiry = conversation.inquiries.get()
    client = client_for(agent)
    # Due 4 hours after noon UTC = 16:00 UTC = 11:00 in New York (EST): in the list's column ...
    listed = client.get(reverse("admin:inquiries_inquiry_changelist")).content.decode()
    assert "2026-12-07 11:00 EST" in listed and "16:00" not in listed
    # ... and on the record's page (Django's own date format, with the zone added).
    page = client.get(reverse("admin:inquiries_inquiry_change", args=[inquiry.pk])).content.decode()
    assert "Dec. 7, 2026, 11 a.m. EST" in page
    inquiry.refresh_from_db()
    assert inquiry.response_due_at == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # stored in UTC


def test_the_zone_does_not_leak_into_the_next_request() -> None:
    client_for(UserFactory(role=Role.SUPPORT, time_zone="Asia/Kolkata")).get(reverse("account"))
    assert timezone.get_current_timezone_name() == "UTC"
    with timezone.override("Asia/Kolkata"):
        assert local_time_text(NOON_UTC) == "2026-12-07 17:30 IST"
