"""The daily digest: one email per user with every notice queued for it (``email_status = digest``),
grouped by kind group, with titles and absolute links.

Claimed set-based by recipient: a batch of recipients with something queued is chosen in order
(keyset on the recipient id), their user rows locked ``FOR NO KEY UPDATE SKIP LOCKED`` and their
queued rows marked ``sending`` by the same ``UPDATE ... RETURNING``. Two sweeps at once never hold
the same user, and a user's rows are claimed together, so each user gets one digest with all of it.
The lock is held only for the claim (its own transaction); sending happens after it, then the
rows are marked sent (one statement per batch) or put back in the queue for the next run when the
send failed (given up after ``NOTIFICATIONS_EMAIL_MAX_ATTEMPTS``). A sweep that dies mid-send
leaves rows ``sending``: the retry sweep sends those after the lease, one by one, at most once more.
"""

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction

from accounts.models import User
from core.sql import db_datetime, execute, ids_in, row_locks_supported, table
from notifications.models import GROUP_LABELS, KIND_GROUPS, EmailStatus, Notification, notification_kind
from notifications.services.notify import absolute_link, email_footer, unsubscribe_headers


def _candidates(*, after: int, size: int) -> list[int]:
    """The next ``size`` recipients (by id, after ``after``) with something queued for the digest."""
    notification = table(Notification)
    rows = execute(
        f"SELECT DISTINCT recipient_id FROM {notification} WHERE email_status = %s AND recipient_id > %s"  # noqa: S608
        " ORDER BY recipient_id LIMIT %s",
        [EmailStatus.DIGEST.value, after, size],
    )
    return [recipient_id for (recipient_id,) in rows]


def _claim(recipient_ids: list[int], *, now: datetime) -> list[tuple[Any, ...]]:
    """Lock the recipients no other sweep holds and mark all their queued rows ``sending``, in one
    statement. Returns (id, recipient_id, kind, title, link, created_at, email_attempts)."""
    notification, user = table(Notification), table(User)
    where, params = ids_in("locked_user.id", recipient_ids)
    lock = "FOR NO KEY UPDATE SKIP LOCKED" if row_locks_supported() else ""
    if connection.vendor == "postgresql":
        locked = f"= ANY(ARRAY(SELECT locked_user.id FROM {user} AS locked_user WHERE {where} {lock}))"  # noqa: S608
    else:
        locked = f"IN (SELECT locked_user.id FROM {user} AS locked_user WHERE {where})"  # noqa: S608
    sql = f"""
        UPDATE {notification}
        SET email_status = %s, email_attempts = email_attempts + 1, email_last_attempt_at = %s
        WHERE email_status = %s AND recipient_id {locked}
        RETURNING id, recipient_id, kind, title, link, created_at, email_attempts
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    with transaction.atomic():
        return execute(sql, [EmailStatus.SENDING.value, db_datetime(now), EmailStatus.DIGEST.value, *params])


def digest_message(*, rows: Sequence[tuple[Any, ...]], now: datetime) -> tuple[str, str, list[str]]:
    """Subject, body and the groups of one user's digest (``rows`` as ``_claim`` returns them)."""
    by_group: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for row in sorted(rows, key=lambda row: (row[5], row[0])):
        try:
            group = notification_kind(row[2]).group
        except ValueError:  # a kind no app registers any more: listed, under "Other"
            group = ""
        by_group[group].append(row)
    limit = settings.NOTIFICATIONS_DIGEST_ITEMS_PER_GROUP
    count = len(rows)
    lines = [f"Your SayPro digest for {now:%d %b %Y}: {count} notice{'s' if count != 1 else ''}.", ""]
    for group in [*KIND_GROUPS, ""]:
        items = by_group.get(group)
        if not items:
            continue
        lines.append(f"{GROUP_LABELS.get(group, 'Other')} ({len(items)})")
        for _pk, _recipient, _kind, title, link, _created, _attempts in items[:limit]:
            lines.append(f"- {title}" + (f"\n  {absolute_link(link)}" if link else ""))
        if len(items) > limit:
            lines.append(f"- and {len(items) - limit} more: {absolute_link('/notifications/')}")
        lines.append("")
    lines.append(email_footer())
    subject = f"[SayPro] Your daily digest: {count} notice{'s' if count != 1 else ''}"
    return subject, "\n".join(lines), [group for group in KIND_GROUPS if group in by_group]


def _send(rows: list[tuple[Any, ...]], *, now: datetime) -> tuple[int, int]:
    by_user: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_user[row[1]].append(row)
    addresses = dict(User.objects.filter(pk__in=list(by_user)).values_list("pk", "email"))
    sent: list[int] = []
    failed: list[int] = []
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
        for user_id, user_rows in by_user.items():
            ids = [row[0] for row in user_rows]
            address = addresses.get(user_id) or ""
            if not address:
                failed.extend(ids)
                continue
            subject, body, groups = digest_message(rows=user_rows, now=now)
            message = EmailMessage(
                subject=subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                connection=mail,
                headers=unsubscribe_headers(user_id=user_id, groups=groups or ["messages"]),
            )
            try:
                mail.send_messages([message])
            except Exception:  # any transport error: this user's digest goes out on the next run
                failed.extend(ids)
            else:
                sent.extend(ids)
    except Exception:  # the backend could not even open: the whole batch waits for the next run
        done = set(sent) | set(failed)
        failed.extend(row[0] for row in rows if row[0] not in done)
    finally:
        with contextlib.suppress(Exception):
            mail.close()
    if sent:
        where, params = ids_in("id", sent)
        execute(
            f"UPDATE {table(Notification)} SET email_status = %s, emailed_at = %s WHERE {where}",  # noqa: S608
            [EmailStatus.SENT.value, db_datetime(now), *params],
        )
    if failed:
        where, params = ids_in("id", failed)
        execute(
            f"UPDATE {table(Notification)} SET email_status = CASE WHEN email_attempts >= %s THEN %s ELSE %s END"  # noqa: S608
            f" WHERE {where}",
            [settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS, EmailStatus.GAVE_UP.value, EmailStatus.DIGEST.value, *params],
        )
    sent_ids = set(sent)
    return len({row[1] for row in rows if row[0] in sent_ids}), len(failed)


def notification_digests_send(*, now: datetime, batch_size: int | None = None) -> dict[str, int]:
    """Send every user's digest of what is queued for it, batch by batch of recipients. Returns
    the digests sent, the notices in them, and the notices whose send failed (queued again)."""
    size = batch_size or settings.NOTIFICATIONS_DIGEST_BATCH_SIZE
    digests = notices = failed = 0
    after = 0
    while True:
        candidates = _candidates(after=after, size=size)
        if not candidates:
            break
        rows = _claim(candidates, now=now)
        if rows:
            batch_digests, batch_failed = _send(rows, now=now)
            digests += batch_digests
            notices += len(rows) - batch_failed
            failed += batch_failed
        after = candidates[-1]
        if len(candidates) < size:
            break
    return {"digests": digests, "notices": notices, "failed": failed}
