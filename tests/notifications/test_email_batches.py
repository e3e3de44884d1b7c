"""Emails go out in claimed batches: each batch is claimed with one statement (``UPDATE ...
RETURNING``, ``SKIP LOCKED``) and marked with one, so any number of senders at once (the send task
twice, the task beside the retry sweep) send each email once, in a number of statements that does
not grow with the number of emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.notices import Kind
from notifications.models import EmailStatus, Notification
from notifications.services.notify import notification_emails_retry, notification_emails_send
from tests.accounts.factories import BuyerFactory
from tests.utils import requires_postgres, run_at_once


def _pending(count: int, *, created_ago: timedelta = timedelta(0)) -> list[int]:
    buyers = BuyerFactory.create_batch(min(count, 50))
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=buyers[index % len(buyers)],
                kind=Kind.REFUND_ISSUED,
                title=f"Refund {index}",
                body="We refunded 5.00",
                email_status=EmailStatus.PENDING,
            )
            for index in range(count)
        ]
    )
    if created_ago:
        Notification.objects.update(created_at=timezone.now() - created_ago)
    return [row.pk for row in rows]


def _sent_titles() -> list[str]:
    return sorted(message.subject for message in mail.outbox)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_a_batch_is_claimed_with_one_statement_and_marked_with_one_whatever_its_size(count, settings):
    settings.NOTIFICATIONS_EMAIL_BATCH_SIZE = 2000
    ids = _pending(count)
    with CaptureQueriesContext(connection) as queries:
        assert notification_emails_send(notification_ids=ids, now=timezone.now()) == {"sent": count, "failed": 0}
    # The claim, the recipients' addresses, the mark.
    assert len(queries.captured_queries) == 3, [query["sql"][:80] for query in queries.captured_queries]
    assert len(mail.outbox) == count
    assert Notification.objects.filter(email_status=EmailStatus.SENT, email_attempts=1).count() == count


@pytest.mark.django_db
def test_batches_repeat_until_every_queued_email_is_sent(settings):
    settings.NOTIFICATIONS_EMAIL_BATCH_SIZE = 7
    ids = _pending(30)
    assert notification_emails_send(notification_ids=ids, now=timezone.now()) == {"sent": 30, "failed": 0}
    assert _sent_titles() == sorted(f"[SayPro] Refund {index}" for index in range(30))
    assert notification_emails_send(notification_ids=ids, now=timezone.now()) == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 30


@pytest.mark.django_db
def test_a_row_claimed_by_a_worker_that_died_is_sent_by_the_retry_sweep_after_its_lease(settings):
    (pk,) = _pending(1)
    claimed_at = timezone.now()
    Notification.objects.filter(pk=pk).update(
        email_status=EmailStatus.SENDING, email_attempts=1, email_last_attempt_at=claimed_at
    )
    assert notification_emails_retry(now=claimed_at + timedelta(minutes=5)) == {"sent": 0, "failed": 0}
    later = claimed_at + settings.NOTIFICATIONS_EMAIL_SENDING_LEASE + timedelta(minutes=1)
    assert notification_emails_retry(now=later) == {"sent": 1, "failed": 0}
    row = Notification.objects.get()
    assert (row.email_status, row.email_attempts) == (EmailStatus.SENT, 2)


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_senders_at_once_send_each_email_once(settings):
    settings.NOTIFICATIONS_EMAIL_BATCH_SIZE = 25
    ids = _pending(300)

    results = run_at_once(2, lambda index: notification_emails_send(notification_ids=ids, now=timezone.now()))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(result["sent"] for result in results) == 300  # type: ignore[index]
    assert _sent_titles() == sorted(f"[SayPro] Refund {index}" for index in range(300))
    assert Notification.objects.filter(email_status=EmailStatus.SENT, email_attempts=1).count() == 300


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_send_task_and_the_retry_sweep_at_once_send_each_email_once(settings):
    """Queued emails old enough for the retry sweep, while their own task runs too."""
    settings.NOTIFICATIONS_EMAIL_BATCH_SIZE = 25
    ids = _pending(300, created_ago=timedelta(hours=1))
    now = timezone.now()

    def send(index: int) -> dict[str, int]:
        if index == 0:
            return notification_emails_send(notification_ids=ids, now=now)
        return notification_emails_retry(now=now)

    results = run_at_once(2, send)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(result["sent"] for result in results) == 300  # type: ignore[index]
    assert _sent_titles() == sorted(f"[SayPro] Refund {index}" for index in range(300))
    # Each row was claimed once, by one of them: one attempt counted, whoever sent it.
    assert Notification.objects.filter(email_status=EmailStatus.SENT, email_attempts=1).count() == 300


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_claim_is_one_update_returning_over_skip_locked_rows():
    ids = _pending(3)
    with CaptureQueriesContext(connection) as queries:
        notification_emails_send(notification_ids=ids, now=timezone.now())
    claim = " ".join(queries.captured_queries[0]["sql"].split())
    assert claim.startswith("UPDATE ")
    assert "FOR UPDATE SKIP LOCKED" in claim
    assert "RETURNING id, recipient_id, title, body, link, email_attempts" in claim
