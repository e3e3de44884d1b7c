"""The notification service: rows inside the caller's transaction, email only after commit,
failed emails retried by the sweep (the mail backend is the one thing mocked)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from marketplace.notices import Kind
from notifications.models import EmailStatus, Notification
from notifications.services.bulk import Draft, emails_suppressed, notify_many
from notifications.services.notify import notification_emails_retry, notify
from tests.accounts.factories import BuyerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_rows_are_written_at_once_and_the_email_only_after_commit(django_capture_on_commit_callbacks):
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify(recipients=[buyer, buyer], kind=Kind.REFUND_ISSUED, title="Refund", body="We refunded 5.00")
        assert Notification.objects.filter(recipient=buyer).count() == 1
        assert mail.outbox == []
    assert len(created) == 1
    assert created[0].email_status == EmailStatus.PENDING
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [buyer.email]
    assert mail.outbox[0].subject == "[SayPro] Refund"
    assert "We refunded 5.00" in mail.outbox[0].body
    row = Notification.objects.get()
    assert (row.email_status, row.email_attempts) == (EmailStatus.SENT, 1)
    assert row.emailed_at is not None


def test_a_rollback_writes_nothing_and_sends_nothing(django_capture_on_commit_callbacks):
    buyer = BuyerFactory()

    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        notify(recipients=[buyer], kind=Kind.INVOICE_ISSUED, title="Invoice")
        raise Boom
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_users_without_email_or_inactive_get_no_email(django_capture_on_commit_callbacks):
    no_email = UserFactory(email="")
    inactive = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=[no_email, inactive], kind=Kind.INVOICE_ISSUED, title="Invoice")
    assert [row.recipient_id for row in created] == [no_email.pk]
    assert created[0].email_status == EmailStatus.NOT_REQUIRED
    assert mail.outbox == []


def test_send_email_false_keeps_it_in_app(django_capture_on_commit_callbacks):
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=[buyer], kind=Kind.RECEIPT_SENT, title="Receipt", send_email=False)
    assert created[0].email_status == EmailStatus.NOT_REQUIRED
    assert mail.outbox == []


def _fail_once(monkeypatch) -> list[int]:
    """Make the mail backend refuse the first message, then behave (locmem) again."""
    from django.core.mail.backends.locmem import EmailBackend

    calls: list[int] = []
    original = EmailBackend.send_messages

    def flaky(self, messages):
        calls.append(len(messages))
        if len(calls) == 1:
            raise ConnectionRefusedError("smtp down")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    return calls


def test_a_failed_email_is_marked_failed_and_the_sweep_resends_it(monkeypatch, django_capture_on_commit_callbacks):
    buyer = BuyerFactory()
    _fail_once(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[buyer], kind=Kind.REFUND_ISSUED, title="Refund")
    row = Notification.objects.get()
    assert (row.email_status, row.email_attempts) == (EmailStatus.FAILED, 1)
    assert mail.outbox == []

    # Too early: the sweep waits NOTIFICATIONS_EMAIL_RETRY_AFTER before trying again.
    assert notification_emails_retry(now=timezone.now()) == {"sent": 0, "failed": 0}
    later = timezone.now() + timedelta(minutes=11)
    assert notification_emails_retry(now=later) == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.email_status, row.email_attempts, row.emailed_at) == (EmailStatus.SENT, 2, later)
    assert len(mail.outbox) == 1
    # Safe to run again: nothing is sent twice.
    assert notification_emails_retry(now=later + timedelta(hours=1)) == {"sent": 0, "failed": 0}
    assert len(mail.outbox) == 1


def test_the_retry_gives_up_after_the_maximum_attempts(monkeypatch, settings):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 2
    buyer = BuyerFactory()
    from django.core.mail.backends.locmem import EmailBackend

    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: (_ for _ in ()).throw(OSError("down")))
    notify(recipients=[buyer], kind=Kind.REFUND_ISSUED, title="Refund")
    now = timezone.now() + timedelta(minutes=11)
    assert notification_emails_retry(now=now) == {"sent": 0, "failed": 1}
    assert notification_emails_retry(now=now + timedelta(minutes=11)) == {"sent": 0, "failed": 1}
    row = Notification.objects.get()
    assert (row.email_status, row.email_attempts) == (EmailStatus.GAVE_UP, 2)
    assert notification_emails_retry(now=now + timedelta(hours=1)) == {"sent": 0, "failed": 0}


def test_run_sweeps_resends_failed_emails(monkeypatch, django_capture_on_commit_callbacks):
    buyer = BuyerFactory()
    _fail_once(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[buyer], kind=Kind.INVOICE_ISSUED, title="Invoice")
    Notification.objects.update(email_last_attempt_at=timezone.now() - timedelta(minutes=30))
    out = StringIO()
    call_command("run_sweeps", "--only", "notifications_retry_emails", stdout=out)
    assert out.getvalue().strip() == 'notifications_retry_emails: {"sent": 1, "failed": 0}'
    assert Notification.objects.get().email_status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_a_pending_email_whose_task_was_lost_is_sent_by_the_sweep():
    buyer = BuyerFactory()
    # Outside any test-captured commit: the on_commit callback of this notify never runs (as if
    # the broker had been down), so the row stays pending.
    with transaction.atomic():
        notify(recipients=[buyer], kind=Kind.INVOICE_ISSUED, title="Invoice")
    assert Notification.objects.get().email_status == EmailStatus.PENDING
    assert notification_emails_retry(now=timezone.now() + timedelta(minutes=11)) == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1


def test_a_broker_outage_after_commit_leaves_the_email_pending_for_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks
):
    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.send_notification_emails_task, "delay", broker_down)
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[buyer], kind=Kind.REFUND_ISSUED, title="Refund")
    assert Notification.objects.get().email_status == EmailStatus.PENDING
    assert mail.outbox == []
    assert notification_emails_retry(now=timezone.now() + timedelta(minutes=11)) == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1


def test_emails_suppressed_writes_in_app_rows_and_mails_nothing(django_capture_on_commit_callbacks):
    buyer = BuyerFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, emails_suppressed():
        created = notify(recipients=[buyer], kind=Kind.RECEIPT_SENT, title="Receipt")
        drafted = notify_many(drafts=[Draft(recipient=buyer, kind=Kind.RECEIPT_SENT, title="Again")])
    assert created[0].email_status == EmailStatus.NOT_REQUIRED and drafted == 1
    assert set(Notification.objects.values_list("email_status", flat=True)) == {EmailStatus.NOT_REQUIRED}
    assert callbacks == [] and mail.outbox == []
    # Outside the block mail flows again.
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[buyer], kind=Kind.RECEIPT_SENT, title="Later")
    assert [message.subject for message in mail.outbox] == ["[SayPro] Later"]
