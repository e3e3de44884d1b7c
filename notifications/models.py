from collections.abc import Collection, Mapping
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
    carries_deadline: bool = False


_kinds: dict[str, NotificationKind] = {}


def register_kinds(
    choices: type[models.TextChoices],
    *,
    group: str,
    groups: Mapping[str, str] | None = None,
    deadline: Collection[str] = (),
) -> None:
    """Register every member of ``choices`` in ``group`` (``groups``: the members in another one).
    ``deadline``: the members that announce a deadline about to pass or just passed (an inquiry
    near its 4 hours, a ticket target, an escalation); a user's "deadline notices always email
    now" sends those at once whatever the group's delivery. Registering the same kind again with
    the same label and group is harmless; a clash is an error."""
    deadline_values = {str(value) for value in deadline}
    for value, label in choices.choices:
        kind = NotificationKind(
            value=value,
            label=str(label),
            group=(groups or {}).get(value, group),
            carries_deadline=value in deadline_values,
        )
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


GROUP_LABELS = {
    "messages": "Messages",
    "reviews": "Reviews",
    "tickets": "Help requests",
    "surveys": "Surveys and CSAT",
    "standing": "Seller standing",
    "statements": "Royalty statements",
    "orders": "Orders and billing",
    "integrations": "Integrations",
}


def group_choices() -> list[tuple[str, str]]:
    return [(group, GROUP_LABELS[group]) for group in KIND_GROUPS]


class EmailStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", "No email"
    PENDING = "pending", "Queued"
    DIGEST = "digest", "Queued for the daily digest"
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
            # The digest sweep's: the recipients with something queued for their digest.
            models.Index(fields=["recipient"], condition=Q(email_status="digest"), name="notif_email_digest_idx"),
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


# --- Preferences: how each user wants each group of notices ------------------------------------


class Delivery(models.TextChoices):
    IN_APP = "in_app", "In the app only"
    EMAIL = "email", "Email now"
    DIGEST = "digest", "Daily digest email"


class NotificationPreference(models.Model):
    """One user's choice for one group of kinds. No row: the default for the user's role
    (``NOTIFICATIONS_DEFAULT_DELIVERY``), so a change of the defaults reaches everyone who never
    chose. Read by every writer (``notify``, ``notify_many``, ``notify_from_select``: in SQL,
    joined on ``(user, group)``: the unique constraint's index serves that join)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    # "group" is an SQL keyword: the column is named so the sweeps' hand-written joins need no quoting.
    group = models.CharField(max_length=16, choices=group_choices(), db_column="kind_group")
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    # Who set it: the user, or the owner of the user's store (``updated_by`` differs then).
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["user_id", "group"]
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="notif_preference_user_group_unique"),
            models.CheckConstraint(
                condition=Q(delivery__in=["in_app", "email", "digest"]), name="notif_preference_delivery_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.group} → {self.delivery}"


class NotificationSettings(models.Model):
    """The per-user switches beside the per-group choices. No row: the defaults (deadline
    notices always email now)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_settings"
    )
    deadline_email_now = models.BooleanField(
        default=True, help_text="Notices about a deadline about to pass are emailed at once, whatever their group."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"{self.user_id}: deadline notices {'email now' if self.deadline_email_now else 'as their group'}"
