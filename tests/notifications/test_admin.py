"""Notifications in the moderators' console: a read-only log, and sending failed emails again."""

from collections.abc import Callable

import factory
import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from marketplace.notices import Kind
from notifications.models import EmailStatus, Notification, NotificationPreference, NotificationSettings
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.notifications.factories import NotificationPreferenceFactory, NotificationSettingsFactory


class NotificationFactory(DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(BuyerFactory)
    kind = Kind.ORDER_STATUS_CHANGED
    title = factory.Sequence(lambda n: f"Your order SP-2026-{n:06d} shipped")
    email_status = EmailStatus.SENT


NOTIFICATIONS_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "notifications"),
    key=lambda model: model._meta.model_name or "",
)
ROW_BUILDERS: dict[type[Model], Callable[[], Model]] = {
    Notification: NotificationFactory,
    NotificationPreference: NotificationPreferenceFactory,
    NotificationSettings: NotificationSettingsFactory,
}


def _url(model: type[Model], page: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_registered_notifications_model_has_a_row_builder() -> None:
    assert set(NOTIFICATIONS_MODELS) == set(ROW_BUILDERS)


@pytest.mark.django_db
@pytest.mark.parametrize("model", NOTIFICATIONS_MODELS, ids=lambda model: model._meta.model_name)
def test_superuser_can_open_changelist_search_and_change_pages_but_not_add(
    admin_user: User, model: type[Model]
) -> None:
    client = _logged_in(admin_user)
    row = ROW_BUILDERS[model]()

    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "changelist"), {"q": "order"}).status_code == 200
    assert client.get(_url(model, "change", row.pk)).status_code == 200
    assert client.get(_url(model, "add")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("model", NOTIFICATIONS_MODELS, ids=lambda model: model._meta.model_name)
def test_changelist_query_count_does_not_grow_with_rows(
    admin_user: User, model: type[Model], django_assert_num_queries: Callable
) -> None:
    client = _logged_in(admin_user)
    build = ROW_BUILDERS[model]
    for _ in range(5):
        build()
    url = _url(model, "changelist")
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as five_rows:
        assert client.get(url).status_code == 200

    for _ in range(45):
        build()
    with django_assert_num_queries(len(five_rows.captured_queries)):
        response = client.get(url)
    assert response.context["cl"].result_count == 50


@pytest.mark.django_db
def test_notifications_cannot_be_edited_or_deleted_even_by_a_superuser(admin_user: User) -> None:
    notification = NotificationFactory(title="Original title")
    client = _logged_in(admin_user)

    assert client.post(_url(Notification, "change", notification.pk), {"title": "Edited"}).status_code == 403
    assert client.post(_url(Notification, "delete", notification.pk), {"post": "yes"}).status_code == 403
    notification.refresh_from_db()
    assert notification.title == "Original title"


@pytest.mark.django_db
def test_superuser_sends_failed_emails_again(admin_user: User, mailoutbox: list) -> None:
    failed = NotificationFactory(email_status=EmailStatus.FAILED, email_attempts=1, title="Refund issued")
    already_sent = NotificationFactory(email_status=EmailStatus.SENT, email_attempts=1)
    client = _logged_in(admin_user)

    response = client.post(
        _url(Notification, "changelist"),
        {"action": "retry_email", "_selected_action": [str(failed.pk), str(already_sent.pk)]},
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    already_sent.refresh_from_db()
    assert (failed.email_status, failed.email_attempts) == (EmailStatus.SENT, 2)
    assert (already_sent.email_status, already_sent.email_attempts) == (EmailStatus.SENT, 1)
    assert [message.to for message in mailoutbox] == [[failed.recipient.email]]


@pytest.mark.django_db
def test_support_sees_notifications_without_the_retry_action(staff_user: User) -> None:
    NotificationFactory()
    client = _logged_in(staff_user)

    response = client.get(_url(Notification, "changelist"))

    assert response.status_code == 200
    assert "retry_email" not in response.content.decode()


@pytest.mark.django_db
def test_moderator_gets_403_on_notifications() -> None:
    notification = NotificationFactory()
    client = _logged_in(UserFactory(role=Role.MODERATOR))

    assert client.get(_url(Notification, "changelist")).status_code == 403
    assert client.get(_url(Notification, "change", notification.pk)).status_code == 403


@pytest.mark.django_db
def test_buyer_is_sent_to_the_admin_login() -> None:
    response = _logged_in(BuyerFactory()).get(_url(Notification, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_support_reads_a_users_notification_settings_on_the_user_page_and_in_the_list(staff_user: User) -> None:
    buyer = BuyerFactory(username="pat")
    NotificationPreferenceFactory(user=buyer, group="orders", delivery="digest")
    NotificationSettingsFactory(user=buyer, deadline_email_now=False)
    client = _logged_in(staff_user)

    page = client.get(reverse("admin:accounts_user_change", args=[buyer.pk])).content.decode()

    assert "notification preferences (groups not listed: the role&#x27;s default)" in page.lower()
    assert "Orders and billing" in page and "Daily digest email" in page
    assert "notification switches" in page.lower()
    listing = client.get(_url(NotificationPreference, "changelist"))
    assert listing.status_code == 200
    assert "pat" in listing.content.decode()
    assert client.get(_url(NotificationPreference, "add")).status_code == 403


@pytest.mark.django_db
def test_moderator_does_not_see_notification_preferences() -> None:
    client = _logged_in(UserFactory(role=Role.MODERATOR))
    assert client.get(_url(NotificationPreference, "changelist")).status_code == 403
