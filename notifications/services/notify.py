"""The one notification service every app calls.

``notify`` writes the in-app rows inside the caller's transaction and queues their emails for
after commit: if the change that caused them rolls back, neither the rows nor the emails exist.
Emails go through Django's mail backend (console in ``make run``, locmem in tests, SMTP in
production); a failed send is retried by the ``notifications_retry_emails`` sweep.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from notifications.models import EmailStatus, Notification, notification_kind
from notifications.services.bulk import emails_wanted


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    send_email: bool = True,
) -> list[Notification]:
    """Notify each distinct recipient once. Returns the created notifications."""
    kind = notification_kind(kind).value  # a kind no app registered is refused (ValueError)
    send_email = emails_wanted(send_email)
    unique: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    rows = [
        Notification(
            recipient=user,
            kind=kind,
            title=title[:200],
            body=body,
            link=link,
            email_status=EmailStatus.PENDING if send_email and user.email else EmailStatus.NOT_REQUIRED,
        )
        for user in unique.values()
    ]
    created = Notification.objects.bulk_create(rows)
    email_ids = [row.pk for row in created if row.email_status == EmailStatus.PENDING]
    if email_ids:
        from notifications.tasks import send_notification_emails_task

        # robust: with the broker down, the change that caused the notification has committed and
        # must not turn into an error; the rows stay pending and the retry sweep sends them.
        transaction.on_commit(lambda: send_notification_emails_task.delay(email_ids), robust=True)
    return created


def notification_mark_read(*, notification: Notification, now: datetime) -> Notification:
    """Idempotent: the first read time is kept."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User, now: datetime) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now)


def _email_body(notification: Notification) -> str:
    parts = [notification.body or notification.title]
    if notification.link:
        link = notification.link
        if link.startswith("/"):
            link = settings.SITE_URL.rstrip("/") + link
        parts.append(f"\n{link}")
    parts.append("\n— SayPro Interaction Desk")
    return "\n".join(parts)


def notification_emails_send(*, notification_ids: Sequence[int], now: datetime) -> dict[str, int]:
    """Send the emails of these notifications that are still due. Safe to run twice: a row is
    claimed (status pending/failed → attempt recorded) before it is sent, and a sent row is skipped."""
    sent = failed = 0
    due = Q(email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED])
    rows = list(Notification.objects.filter(due, pk__in=notification_ids).select_related("recipient"))
    if not rows:
        return {"sent": 0, "failed": 0}
    connection = get_connection(fail_silently=False)
    for row in rows:
        message = EmailMessage(
            subject=f"[SayPro] {row.title}",
            body=_email_body(row),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.recipient.email],
            connection=connection,
        )
        attempts = row.email_attempts + 1
        try:
            message.send()
        except Exception:  # any transport error is retried by the sweep
            status = (
                EmailStatus.GAVE_UP if attempts >= settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS else EmailStatus.FAILED
            )
            Notification.objects.filter(pk=row.pk).update(
                email_status=status, email_attempts=attempts, email_last_attempt_at=now
            )
            failed += 1
        else:
            Notification.objects.filter(pk=row.pk).update(
                email_status=EmailStatus.SENT, email_attempts=attempts, email_last_attempt_at=now, emailed_at=now
            )
            sent += 1
    return {"sent": sent, "failed": failed}


def notification_emails_retry(*, now: datetime) -> dict[str, int]:
    """Resend emails that failed, and pending ones whose task was lost (broker down), once they
    are older than ``NOTIFICATIONS_EMAIL_RETRY_AFTER``."""
    cutoff = now - settings.NOTIFICATIONS_EMAIL_RETRY_AFTER
    ids = list(
        Notification.objects.filter(
            Q(email_status=EmailStatus.FAILED, email_last_attempt_at__lt=cutoff)
            | Q(email_status=EmailStatus.PENDING, created_at__lt=cutoff)
        )
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    return notification_emails_send(notification_ids=ids, now=now)
