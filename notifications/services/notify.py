"""The one notification service every app calls.

``notify`` writes the in-app rows inside the caller's transaction and queues their emails for
after commit: if the change that caused them rolls back, neither the rows nor the emails exist.
Emails go through Django's mail backend (console in ``make run``, locmem in tests, SMTP in
production); a failed send is retried by the ``notifications_retry_emails`` sweep.
"""

import contextlib
import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.sql import db_datetime, execute, ids_in, in_claimed, row_locks_supported, table
from core.text import one_line, preview
from notifications.models import EmailStatus, Notification, notification_kind
from notifications.services.bulk import TITLE_MAX_LENGTH, Draft, drafts_insert, emails_send_after_commit
from notifications.services.preferences import unsubscribe_token


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    send_email: bool = True,
) -> list[Notification]:
    """Notify each distinct recipient once, by email now, in their digest or in-app only as each
    chose for the kind's group (one statement: the preferences are joined in the INSERT).
    Returns the created notifications."""
    kind = notification_kind(kind).value  # a kind no app registered is refused (ValueError)
    unique: dict[int, User] = {}
    for user in recipients:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    now = timezone.now()
    created = drafts_insert(
        drafts=[Draft(recipient=user, kind=kind, title=title, body=body, link=link) for user in unique.values()],
        send_email=send_email,
        now=now,
    )
    notifications = []
    for pk, recipient_id, email_status in created:
        notification = Notification(
            recipient=unique[recipient_id],
            kind=kind,
            title=preview(title, TITLE_MAX_LENGTH),
            body=body,
            link=link,
            email_status=email_status,
            created_at=now,
        )
        notification.pk = pk
        notification._state.adding = False
        notification._state.db = "default"
        notifications.append(notification)
    emails_send_after_commit([row.pk for row in notifications if row.email_status == EmailStatus.PENDING])
    return notifications


def notification_mark_read(*, notification: Notification, now: datetime) -> Notification:
    """Idempotent: the first read time is kept."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User, now: datetime) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now)


def absolute_link(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link if link.startswith("/") else link


@functools.cache
def _paths() -> tuple[str, str]:
    """The settings page's path and the unsubscribe link's path before its token: resolved once
    (``reverse`` per email was a fifth of the digest sweep's time)."""
    marker = "TOKEN"
    unsubscribe = reverse("notifications:unsubscribe", kwargs={"token": marker})
    return reverse("notification-settings"), unsubscribe.removesuffix(f"{marker}/")


def email_footer() -> str:
    """The last lines of every notification email: where the reader chooses what they get."""
    return (
        "\n— SayPro Interaction Desk\n"
        f"Choose which notices you get by email, in a daily digest or only in the app: "
        f"{absolute_link(_paths()[0])}"
    )


def unsubscribe_headers(*, user_id: int, groups: Iterable[str], deadline: bool = False) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST ``List-Unsubscribe=One-Click`` to the URL,
    which turns the email's groups to in-app only at once (``notifications.views``)."""
    token = unsubscribe_token(user_id=user_id, groups=groups, deadline=deadline)
    url = absolute_link(f"{_paths()[1]}{token}/")
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _email_body(*, body: str, title: str, link: str) -> str:
    parts = [body or title]
    if link:
        parts.append(f"\n{absolute_link(link)}")
    parts.append(email_footer())
    return "\n".join(parts)


def _claim_emails(*, condition: str, params: Sequence[Any], now: datetime, batch_size: int) -> list[tuple[Any, ...]]:
    """Claim up to ``batch_size`` rows matching ``condition`` for sending, in one statement: status
    ``sending``, the attempt counted and stamped. Two senders at once (the task and the retry sweep,
    two workers) each skip the rows the other holds, and a claimed row no longer matches anyone's
    condition: each email goes out once. Returns (id, recipient_id, title, body, link, attempts)."""
    notification = table(Notification)
    opening, closing = in_claimed()
    lock = "FOR UPDATE SKIP LOCKED" if row_locks_supported() else ""
    sql = f"""
        UPDATE {notification}
        SET email_status = %s, email_attempts = email_attempts + 1, email_last_attempt_at = %s
        WHERE id {opening}
            SELECT claimable.id FROM {notification} AS claimable WHERE {condition}
            ORDER BY claimable.id LIMIT %s {lock}
        {closing}
        RETURNING id, recipient_id, title, body, link, email_attempts, kind
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    return execute(sql, [EmailStatus.SENDING.value, db_datetime(now), *params, batch_size])


def _headers_for(recipient_id: int, kind_value: str) -> dict[str, str]:
    try:
        kind = notification_kind(kind_value)
    except ValueError:  # a kind no app registers any more: unsubscribing cannot name its group
        return {}
    return unsubscribe_headers(user_id=recipient_id, groups=[kind.group], deadline=kind.carries_deadline)


def _deliver(rows: Sequence[tuple[Any, ...]], *, now: datetime) -> tuple[int, int]:
    """Send a claimed batch over one connection of the mail backend, then mark it: the sent rows
    with one statement, the failed ones with another (failed, or given up after the last attempt)."""
    recipient_ids = {row[1] for row in rows}
    addresses = dict(User.objects.filter(pk__in=recipient_ids).values_list("pk", "email"))
    sent: list[int] = []
    failed: list[int] = []
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
        for pk, recipient_id, title, body, link, _attempts, kind_value in rows:
            address = addresses.get(recipient_id) or ""
            if not address:
                failed.append(pk)
                continue
            message = EmailMessage(
                subject=f"[SayPro] {one_line(title)}",  # a line break would fail the send every time
                body=_email_body(body=body, title=title, link=link),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                connection=mail,
                headers=_headers_for(recipient_id, kind_value),
            )
            try:
                mail.send_messages([message])
            except Exception:  # any transport error: this one is retried by the sweep
                failed.append(pk)
            else:
                sent.append(pk)
    except Exception:  # the backend could not even open: the whole batch is retried
        failed.extend(pk for pk, *_ in rows if pk not in sent and pk not in failed)
    finally:
        with contextlib.suppress(Exception):  # closing a dead connection: nothing more to do
            mail.close()
    at = db_datetime(now)
    if sent:
        where, params = ids_in("id", sent)
        execute(
            f"UPDATE {table(Notification)} SET email_status = %s, emailed_at = %s WHERE {where}",  # noqa: S608
            [EmailStatus.SENT.value, at, *params],
        )
    if failed:
        where, params = ids_in("id", failed)
        execute(
            f"UPDATE {table(Notification)} SET email_status = CASE WHEN email_attempts >= %s THEN %s ELSE %s END"  # noqa: S608
            f" WHERE {where}",
            [settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS, EmailStatus.GAVE_UP.value, EmailStatus.FAILED.value, *params],
        )
    return len(sent), len(failed)


def _send_claimed(*, condition: str, params: Sequence[Any], now: datetime, batch_size: int | None) -> dict[str, int]:
    size = batch_size or settings.NOTIFICATIONS_EMAIL_BATCH_SIZE
    sent = failed = 0
    while True:
        rows = _claim_emails(condition=condition, params=params, now=now, batch_size=size)
        if rows:
            batch_sent, batch_failed = _deliver(rows, now=now)
            sent, failed = sent + batch_sent, failed + batch_failed
        if len(rows) < size:
            return {"sent": sent, "failed": failed}


def notification_emails_send(
    *,
    now: datetime,
    notification_ids: Sequence[int] | None = None,
    include_failed: bool = False,
    batch_size: int | None = None,
) -> dict[str, int]:
    """Send the queued emails (of ``notification_ids`` only, when given; ``include_failed``: failed
    ones too, e.g. the console's "send again"), in claimed batches until none is left. Safe to run
    twice or from several workers at once: a row is claimed (``sending``) before it is sent, so no
    email goes out twice; a sent row is never claimed again."""
    statuses = [EmailStatus.PENDING.value] + ([EmailStatus.FAILED.value] if include_failed else [])
    condition = "claimable.email_status IN (" + ", ".join(["%s"] * len(statuses)) + ")"
    params: list[Any] = list(statuses)
    if notification_ids is not None:
        if not notification_ids:
            return {"sent": 0, "failed": 0}
        ids_condition, ids_params = ids_in("claimable.id", list(notification_ids))
        condition, params = f"{condition} AND {ids_condition}", [*params, *ids_params]
    return _send_claimed(condition=condition, params=params, now=now, batch_size=batch_size)


def notification_emails_retry(*, now: datetime, batch_size: int | None = None) -> dict[str, int]:
    """Send again what is due again: failed emails once ``NOTIFICATIONS_EMAIL_RETRY_AFTER`` has
    passed, queued ones whose send task was lost (the broker was down), and ones a worker claimed
    but never marked (it died mid-send: sent at most once more)."""
    cutoff = db_datetime(now - settings.NOTIFICATIONS_EMAIL_RETRY_AFTER)
    lease = db_datetime(now - settings.NOTIFICATIONS_EMAIL_SENDING_LEASE)
    condition = (
        "((claimable.email_status = %s AND claimable.email_last_attempt_at < %s)"
        " OR (claimable.email_status = %s AND claimable.created_at < %s)"
        " OR (claimable.email_status = %s AND claimable.email_last_attempt_at < %s))"
    )
    params = [
        EmailStatus.FAILED.value,
        cutoff,
        EmailStatus.PENDING.value,
        cutoff,
        EmailStatus.SENDING.value,
        lease,
    ]
    return _send_claimed(condition=condition, params=params, now=now, batch_size=batch_size)
