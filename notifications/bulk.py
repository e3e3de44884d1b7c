"""Many notifications at once, for set-based sweeps: one INSERT for the whole batch and one email
task after commit, however many rows (``notify`` is the one-message form of the same thing)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from notifications.models import EmailStatus, Kind, Notification


@dataclass(frozen=True)
class Draft:
    recipient: User
    kind: Kind
    title: str
    body: str = ""
    link: str = ""


def notify_many(*, drafts: Iterable[Draft], send_email: bool = True) -> int:
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
