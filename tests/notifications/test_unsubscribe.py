"""One-click unsubscribe (RFC 8058): every notification email carries the headers; a POST to the
link (no login, no CSRF token) switches the email's group to in-app at once; a GET only asks; a
forged or damaged token is a 400 page."""

import pytest
from django.core import mail
from django.core.signing import dumps
from django.test import Client

from inquiries.notices import Kind as MessageKind
from marketplace.notices import Kind as OrderKind
from notifications.models import NotificationPreference, NotificationSettings
from notifications.services.notify import notify
from notifications.services.preferences import preferences_for_user, unsubscribe_token
from tests.accounts.factories import BuyerFactory

pytestmark = pytest.mark.django_db


def _link(message) -> str:  # type: ignore[no-untyped-def]
    return message.extra_headers["List-Unsubscribe"].strip("<>")


def test_an_immediate_email_carries_the_one_click_headers_and_the_settings_footer(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://desk.example.com"
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[buyer], kind=OrderKind.REFUND_ISSUED, title="Refund", link="/orders/1/")

    (message,) = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _link(message).startswith("https://desk.example.com/notifications/unsubscribe/")
    assert "https://desk.example.com/orders/1/" in message.body
    assert message.body.rstrip().endswith("https://desk.example.com/settings/notifications/")


def test_a_post_to_the_link_switches_the_group_to_in_app_at_once(django_capture_on_commit_callbacks) -> None:
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[buyer], kind=OrderKind.REFUND_ISSUED, title="Refund")
    path = _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    client = Client(enforce_csrf_checks=True)  # a mail client has no CSRF token: exempt

    response = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert preferences_for_user(buyer).delivery("orders") == "in_app"
    assert preferences_for_user(buyer).delivery("messages") == "email"
    (created,) = notify(recipients=[buyer], kind=OrderKind.ORDER_STATUS_CHANGED, title="Shipped")
    assert created.email_status == "not_required"
    assert client.post(f"/{path}").status_code == 200  # again: harmless


def test_a_get_shows_a_button_and_changes_nothing() -> None:
    buyer = BuyerFactory()
    token = unsubscribe_token(user_id=buyer.pk, groups=["orders"])

    response = Client().get(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 200
    assert b"Orders and billing" in response.content
    assert f'action="/notifications/unsubscribe/{token}/"'.encode() in response.content
    assert not NotificationPreference.objects.exists()


def test_unsubscribing_from_a_deadline_notice_also_turns_the_switch_off(django_capture_on_commit_callbacks) -> None:
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[buyer], kind=MessageKind.INQUIRY_WARNING, title="Waiting")
    path = _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]

    assert Client().post(f"/{path}").status_code == 200

    assert preferences_for_user(buyer).delivery("messages") == "in_app"
    assert NotificationSettings.objects.get(user=buyer).deadline_email_now is False


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        dumps({"u": 1, "g": ["orders"], "d": False}, salt="some.other.salt"),
        dumps({"u": 1, "g": ["nonsense"], "d": False}, salt="notifications.unsubscribe"),
        dumps({"u": 999999, "g": ["orders"], "d": False}, salt="notifications.unsubscribe"),
        dumps([1, 2], salt="notifications.unsubscribe"),
    ],
)
def test_a_forged_or_damaged_token_is_a_400_page_and_nothing_changes(token) -> None:
    BuyerFactory()
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/notifications/unsubscribe/{token}/")
        assert response.status_code == 400
        assert b"This unsubscribe link is damaged" in response.content
    assert not NotificationPreference.objects.exists()


def test_a_tampered_token_naming_another_user_is_refused() -> None:
    alice, bob = BuyerFactory(), BuyerFactory()
    token = unsubscribe_token(user_id=alice.pk, groups=["orders"])
    payload, signature = token.rsplit(":", 1)
    forged = unsubscribe_token(user_id=bob.pk, groups=["orders"]).rsplit(":", 1)[0] + ":" + signature
    assert payload != forged.rsplit(":", 1)[0]
    assert Client().post(f"/notifications/unsubscribe/{forged}/").status_code == 400
    assert not NotificationPreference.objects.exists()
