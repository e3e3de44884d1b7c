"""Many notifications at once, for set-based sweeps: one INSERT for the whole batch and one email
task after commit, however many rows (``notify`` is the one-message form of the same thing)."""

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from core.sql import db_datetime, execute, table
from core.text import preview
from notifications.models import EmailStatus, Notification, notification_kind
from notifications.services.preferences import default_delivery, drafts_email_status_sql, email_status_sql

TITLE_MAX_LENGTH = Notification._meta.get_field("title").max_length or 200

_emails_suppressed: ContextVar[bool] = ContextVar("notifications_emails_suppressed", default=False)


@contextmanager
def emails_suppressed() -> Iterator[None]:
    """Within this block notifications are written in-app only, never mailed: for replaying or
    importing history (``seed_demo``), where nobody should get mail about the past."""
    token = _emails_suppressed.set(True)
    try:
        yield
    finally:
        _emails_suppressed.reset(token)


def emails_wanted(send_email: bool) -> bool:
    return send_email and not _emails_suppressed.get()


def emails_send_after_commit(notification_ids: list[int]) -> None:
    """Queue the sending of these notifications' emails once the caller's transaction commits: one
    task per ``NOTIFICATIONS_EMAIL_BATCH_SIZE`` of them, so that a sweep's thousands of notices are
    sent by every worker process at once rather than one after the other by a single task. Each task
    claims its rows before sending (``notification_emails_send``), so a task run twice, or beside the
    retry sweep, sends nothing twice. ``robust``: with the broker down, the change that caused the
    notices has committed and must not turn into an error; the rows stay queued and the retry sweep
    sends them."""
    if not notification_ids:
        return
    size = settings.NOTIFICATIONS_EMAIL_BATCH_SIZE
    for start in range(0, len(notification_ids), size):
        transaction.on_commit(_queue_sending(notification_ids[start : start + size]), robust=True)


def _queue_sending(chunk: list[int]) -> Callable[[], None]:
    """The on-commit callback for one chunk (a named function: Django logs a robust callback's
    failure by its ``__qualname__``)."""
    from notifications.tasks import send_notification_emails_task

    def send_notification_emails() -> None:
        send_notification_emails_task.delay(chunk)

    return send_notification_emails


@dataclass(frozen=True)
class Draft:
    recipient: User
    kind: str
    title: str
    body: str = ""
    link: str = ""


def _drafts_source(drafts: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """The drafts as a table in SQL, from one JSON parameter however many (no placeholder per value)."""
    payload = json.dumps(drafts)
    if connection.vendor == "postgresql":
        return (
            "jsonb_to_recordset(%s::jsonb) AS draft(position integer, recipient_id bigint, kind text, title text,"
            " body text, link text, kind_group text, role_default text, has_email integer, carries_deadline integer)",
            [payload],
        )
    columns = ", ".join(
        f"json_extract(value, '$.{name}') AS {name}"
        for name in (
            "position",
            "recipient_id",
            "kind",
            "title",
            "body",
            "link",
            "kind_group",
            "role_default",
            "has_email",
            "carries_deadline",
        )
    )
    return f"(SELECT {columns} FROM json_each(%s)) AS draft", [payload]  # noqa: S608 (fixed names)


def drafts_insert(*, drafts: Iterable[Draft], send_email: bool, now: datetime) -> list[tuple[int, int, str]]:
    """Write the drafts of active recipients with one ``INSERT ... SELECT ... RETURNING``: each
    row's email status is computed in the database from the recipient's preference for the kind's
    group (``drafts_email_status_sql``), so honouring preferences costs no statement. Returns
    (id, recipient_id, email_status) in the drafts' order."""
    send_email = emails_wanted(send_email)
    rows: list[dict[str, Any]] = []
    for draft in drafts:
        if not draft.recipient.is_active:
            continue
        kind = notification_kind(draft.kind)  # a kind no app registered is refused (ValueError)
        rows.append(
            {
                "position": len(rows),
                "recipient_id": draft.recipient.pk,
                "kind": kind.value,
                "title": preview(draft.title, TITLE_MAX_LENGTH),
                "body": draft.body,
                "link": draft.link,
                "kind_group": kind.group,
                "role_default": default_delivery(role=draft.recipient.role, group=kind.group),
                "has_email": int(bool(send_email and draft.recipient.email)),
                "carries_deadline": int(kind.carries_deadline),
            }
        )
    if not rows:
        return []
    source, source_params = _drafts_source(rows)
    status_sql, status_params, joins = drafts_email_status_sql("draft")
    sql = f"""
        INSERT INTO {table(Notification)}
            (recipient_id, kind, title, body, link, email_status, email_attempts, created_at)
        SELECT draft.recipient_id, draft.kind, draft.title, draft.body, draft.link, {status_sql}, 0, %s
        FROM {source} {joins}
        ORDER BY draft.position
        RETURNING id, recipient_id, email_status
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    created = execute(sql, [*status_params, db_datetime(now), *source_params])
    return sorted((int(pk), int(recipient_id), str(status)) for pk, recipient_id, status in created)


def notify_many(*, drafts: Iterable[Draft], send_email: bool = True, now: datetime | None = None) -> int:
    """One notification per draft (inactive recipients skipped), each emailed now, queued for the
    recipient's digest or kept in-app as the recipient chose for the kind's group; one statement."""
    created = drafts_insert(drafts=drafts, send_email=send_email, now=now or timezone.now())
    emails_send_after_commit([pk for pk, _recipient, status in created if status == EmailStatus.PENDING])
    return len(created)


def notify_from_select(
    *, kind: str, select_sql: str, params: Sequence[Any], send_email: bool = True, now: datetime | None = None
) -> int:
    """One notification per row of ``select_sql`` (columns ``recipient_id``, ``title``, ``body``,
    ``link``), written by a single ``INSERT ... SELECT ... RETURNING`` in the database.

    For sweeps that notify thousands at once: building a ``Notification`` per row in Python and
    sending every value back as a parameter cost more than the writes themselves. The rules are
    ``notify_many``'s: inactive recipients are skipped, the title is cut at 200 characters, the
    email is pending (or queued for the digest) only for recipients with an address, as each chose
    for the kind's group (the preference joined in the same statement, the role's default a
    ``CASE``), and one email task runs after commit. Portable SQL (PostgreSQL, SQLite 3.35+ for
    ``RETURNING``); ``select_sql`` must be too."""
    send_email = emails_wanted(send_email)
    registered = notification_kind(kind)
    quote = connection.ops.quote_name
    joins, join_params = "", list[Any]()
    if send_email:
        email_status, status_params, joins, join_params = email_status_sql(
            group=registered.group, carries_deadline=registered.carries_deadline
        )
    else:
        email_status = "%s"
        status_params = [EmailStatus.NOT_REQUIRED.value]
    created_at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    sql = f"""
        INSERT INTO {quote(Notification._meta.db_table)}
            (recipient_id, kind, title, body, link, email_status, email_attempts, created_at)
        SELECT draft.recipient_id, %s, SUBSTR(draft.title, 1, 200), draft.body, draft.link, {email_status}, 0, %s
        FROM ({select_sql}) AS draft
        JOIN {quote(User._meta.db_table)} AS recipient ON recipient.id = draft.recipient_id
        {joins}
        WHERE recipient.is_active
        RETURNING id, email_status
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [registered.value, *status_params, created_at, *params, *join_params])
        created = cursor.fetchall()
    emails_send_after_commit([pk for pk, status in created if status == EmailStatus.PENDING])
    return len(created)
