"""The daily digest sweep: one email per user with everything queued for it, grouped, with
absolute links and the one-click unsubscribe headers; claimed by recipient so that two sweeps at
once send each digest once."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sweeps import get_sweep
from helpdesk.notices import Kind as TicketKind
from inquiries.notices import Kind as MessageKind
from marketplace.notices import Kind as OrderKind
from notifications.models import EmailStatus, Notification
from notifications.services.digest import notification_digests_send
from notifications.services.preferences import unsubscribe_token_read
from tests.accounts.factories import BuyerFactory
from tests.notifications.factories import NotificationFactory
from tests.utils import requires_postgres, run_at_once

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def _queue(user, kind, title, link="", **extra):  # type: ignore[no-untyped-def]
    return NotificationFactory(recipient=user, kind=kind, title=title, link=link, email_status="digest", **extra)


@pytest.mark.django_db
def test_one_email_per_user_grouped_with_titles_and_absolute_links(settings) -> None:
    settings.SITE_URL = "https://desk.example.com"
    alice = BuyerFactory(username="alice", email="alice@example.com")
    bob = BuyerFactory(username="bob", email="bob@example.com")
    _queue(alice, OrderKind.ORDER_STATUS_CHANGED, "Order SP-1 shipped", "/orders/1/")
    _queue(alice, MessageKind.INQUIRY_ANSWERED, "Store 7 replied", "/messages/7/")
    _queue(alice, OrderKind.REFUND_ISSUED, "Refund 5.00", "/orders/1/")
    _queue(bob, TicketKind.TICKET_REPLY, "Reply to HD-3", "/support/3/")
    NotificationFactory(recipient=bob, kind=OrderKind.REFUND_ISSUED, email_status="pending")  # not the digest's

    result = notification_digests_send(now=NOW)

    assert result == {"digests": 2, "notices": 4, "failed": 0}
    assert len(mail.outbox) == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    message = by_address["alice@example.com"]
    assert message.subject == "[SayPro] Your daily digest: 3 notices"
    body = message.body
    assert body.index("Messages (1)") < body.index("Orders and billing (2)")
    assert "- Store 7 replied\n  https://desk.example.com/messages/7/" in body
    assert "- Order SP-1 shipped\n  https://desk.example.com/orders/1/" in body
    assert "https://desk.example.com/settings/notifications/" in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"]
    assert url.startswith("<https://desk.example.com/notifications/unsubscribe/") and url.endswith("/>")
    token = url.removeprefix("<https://desk.example.com/notifications/unsubscribe/").removesuffix("/>")
    unsubscription = unsubscribe_token_read(token)
    assert unsubscription is not None
    assert (unsubscription.user, unsubscription.groups) == (alice, ("messages", "orders"))
    assert "Help requests (1)" in by_address["bob@example.com"].body

    statuses = dict(Notification.objects.values_list("title", "email_status"))
    assert statuses["Order SP-1 shipped"] == statuses["Reply to HD-3"] == EmailStatus.SENT
    assert Notification.objects.filter(email_status="sent").count() == 4
    assert notification_digests_send(now=NOW) == {"digests": 0, "notices": 0, "failed": 0}  # nothing twice
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_long_group_lists_the_first_and_counts_the_rest(settings) -> None:
    settings.NOTIFICATIONS_DIGEST_ITEMS_PER_GROUP = 2
    alice = BuyerFactory()
    for index in range(5):
        _queue(alice, OrderKind.ORDER_STATUS_CHANGED, f"Order {index}")
    notification_digests_send(now=NOW)
    (message,) = mail.outbox
    assert "Orders and billing (5)" in message.body
    assert "- Order 0" in message.body and "- Order 1" in message.body and "- Order 2" not in message.body
    assert "- and 3 more:" in message.body


@pytest.mark.django_db
def test_statements_per_batch_do_not_grow_with_the_users() -> None:
    def statements(users: int) -> int:
        for _ in range(users):
            user = BuyerFactory()
            _queue(user, OrderKind.ORDER_STATUS_CHANGED, "A")
            _queue(user, MessageKind.INQUIRY_ANSWERED, "B")
        with CaptureQueriesContext(connection) as queries:
            assert notification_digests_send(now=NOW)["digests"] == users
        return len(queries.captured_queries)

    assert statements(3) == statements(40)


@pytest.mark.django_db
def test_a_failed_send_queues_the_digest_again_for_the_next_run(monkeypatch) -> None:
    alice = BuyerFactory()
    _queue(alice, OrderKind.ORDER_STATUS_CHANGED, "A")

    def refuse(self, messages):  # type: ignore[no-untyped-def]
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    assert notification_digests_send(now=NOW) == {"digests": 0, "notices": 0, "failed": 1}
    assert Notification.objects.get().email_status == EmailStatus.DIGEST
    monkeypatch.undo()
    assert notification_digests_send(now=NOW)["digests"] == 1
    assert Notification.objects.get().email_status == EmailStatus.SENT
    assert Notification.objects.get().email_attempts == 2


def test_the_sweep_is_registered_with_a_daily_crontab(settings) -> None:
    sweep = get_sweep("notifications_digest")
    assert sweep.schedule.hour == {settings.NOTIFICATIONS_DIGEST_HOUR}
    assert sweep.schedule.minute == {0}


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_digest_sweeps_at_once_send_one_email_per_user(settings) -> None:
    settings.NOTIFICATIONS_DIGEST_BATCH_SIZE = 7  # many small batches, so the two really interleave
    users = [BuyerFactory(username=f"digest-{index}") for index in range(60)]
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, title=f"{user.username} {kind}", email_status="digest")
            for user in users
            for kind in (OrderKind.ORDER_STATUS_CHANGED, MessageKind.INQUIRY_ANSWERED, TicketKind.TICKET_REPLY)
        ]
    )

    results = run_at_once(2, lambda index: notification_digests_send(now=NOW))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(result["digests"] for result in results) == 60  # type: ignore[index]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in users)
    for message in mail.outbox:
        assert message.subject == "[SayPro] Your daily digest: 3 notices"
    assert Notification.objects.filter(email_status="sent").count() == 180
