"""Many notifications at once, for set-based sweeps: one INSERT for the whole batch and one email
task after commit, however many rows (``notify`` is the one-message form of the same thing)."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from notifications.models import EmailStatus, Kind, Notification

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


@dataclass(frozen=True)
class Draft:
    recipient: User
    kind: Kind
    title: str
    body: str = ""
    link: str = ""


def notify_many(*, drafts: Iterable[Draft], send_email: bool = True) -> int:
    send_email = emails_wanted(send_email)
    rows = [
        Notification(
            recipient=draft.recipient,
            kind=Kind(draft.kind),
            title=draft.title[:200],
            body=draft.body,
            link=draft.link,
            email_status=EmailStatus.PENDING if send_email and draft.recipient.email else EmailStatus.NOT_REQUIRED,
        )
        for draft in drafts
        if draft.recipient.is_active
    ]
    if not rows:
        return 0
    created = Notification.objects.bulk_create(rows)
    email_ids = [row.pk for row in created if row.email_status == EmailStatus.PENDING]
    if email_ids:
        from notifications.tasks import send_notification_emails_task

        transaction.on_commit(lambda: send_notification_emails_task.delay(email_ids), robust=True)
    return len(created)
