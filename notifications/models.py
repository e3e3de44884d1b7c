from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q

# --- Kinds: every app registers its own ------------------------------------------------------
#
# An app that notifies declares its kinds in its ``notices.py`` (a ``TextChoices``) and registers
# them here with the group they belong to; notifications lists none of them. ``notify`` refuses a
# kind nobody registered; the console and the API label kinds from this registry. The groups are
# what a user will choose delivery by (in-app, email, digest).

KIND_GROUPS = ("messages", "reviews", "tickets", "surveys", "standing", "statements", "orders", "integrations")


@dataclass(frozen=True)
class NotificationKind:
    value: str
    label: str
    group: str


_kinds: dict[str, NotificationKind] = {}


def register_kinds(choices: type[models.TextChoices], *, group: str, groups: Mapping[str, str] | None = None) -> None:
    """Register every member of ``choices`` in ``group`` (``groups``: the members in another one).
    Registering the same kind again with the same label and group is harmless; a clash is an error."""
    for value, label in choices.choices:
        kind = NotificationKind(value=value, label=str(label), group=(groups or {}).get(value, group))
        if kind.group not in KIND_GROUPS:
            raise ValueError(f"notification kind {value!r}: unknown group {kind.group!r}")
        if _kinds.setdefault(value, kind) != kind:
            raise ValueError(f"notification kind {value!r} is registered twice, differently")


def notification_kind(value: str) -> NotificationKind:
    """The registered kind ``value``; ``ValueError`` for a kind no app registered."""
    try:
        return _kinds[str(value)]
    except KeyError:
        raise ValueError(f"{value!r} is not a registered notification kind") from None


def notification_kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda kind: (KIND_GROUPS.index(kind.group), kind.value))


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in notification_kinds()]


class EmailStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", "No email"
    PENDING = "pending", "Queued"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
    GAVE_UP = "gave_up", "Failed (gave up)"


class Notification(models.Model):
    """An in-app notification; its email copy is sent after the transaction that caused it commits."""

    # No index of its own: ``(recipient, -created_at)`` serves every read by recipient, and the sweeps
    # insert thousands of rows at once (each index is a write per row). No database constraint
    # either: every writer inserts rows for users it has just read (``notify``, ``notify_from_select``
    # joins them), users are deactivated, not deleted, and the ORM still cascades a deletion; the
    # constraint's deferred check took a key-share lock on each recipient's row at commit (a WAL
    # record and a dirtied page per user: most of the commit of a 10,000-notice catch-up).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=32)  # a registered kind: see register_kinds
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_last_attempt_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created_idx"),
            # The send task's claim: the queued emails, oldest first.
            models.Index(fields=["id"], condition=Q(email_status="pending"), name="notif_email_pending_idx"),
            # The retry sweep's: failed ones, and ones claimed by a worker that never marked them.
            models.Index(
                fields=["email_last_attempt_at"],
                condition=Q(email_status__in=["failed", "sending"]),
                name="notif_email_retry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    def get_kind_display(self) -> str:
        """The kind's label (a kind no app registers any more shows as stored)."""
        kind = _kinds.get(self.kind)
        return kind.label if kind is not None else self.kind

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
