"""Each user's choice of delivery per group of notices, and what every writer makes of it.

A user chooses per group (``KIND_GROUPS``): in-app only, email now, or the daily digest; without a
choice the role's default applies (``NOTIFICATIONS_DEFAULT_DELIVERY``), so changing a default
reaches everyone who never chose. Notices that carry a deadline are emailed at once while the
user's ``deadline_email_now`` is on (the default), whatever the group's delivery.

The writers never read preferences row by row: ``notify`` and ``notify_many`` send their drafts
as one JSON parameter and ``notify_from_select`` its SELECT, and the single ``INSERT ... SELECT``
that writes the notifications joins the preferences and computes each row's email status in the
database (``email_status_sql``). A sweep stays one statement per batch, a ``notify`` one statement.

A store's owner may change the settings of the store's other members: which users a user manages
is told by the app that knows stores (``register_preference_delegation``; notifications imports no
app above it).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Role, User
from core.exceptions import InvalidInput
from core.sql import table
from notifications.models import (
    GROUP_LABELS,
    KIND_GROUPS,
    Delivery,
    EmailStatus,
    NotificationPreference,
    NotificationSettings,
    notification_kinds,
)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
DELIVERIES = tuple(Delivery.values)


# --- Defaults ---------------------------------------------------------------------------------


def default_delivery(*, role: str, group: str) -> str:
    """The delivery of ``group`` for a user of ``role`` who never chose (a role the setting does
    not name: a buyer's)."""
    defaults: Mapping[str, Mapping[str, str]] = settings.NOTIFICATIONS_DEFAULT_DELIVERY
    by_group = defaults.get(role) or defaults[Role.BUYER.value]
    return by_group.get(group, Delivery.EMAIL.value)


def _roles() -> list[str]:
    return [str(role) for role in Role.values]


# --- What the writers compute in SQL ----------------------------------------------------------


def _delivery_to_status_sql(delivery_sql: str) -> tuple[str, list[Any]]:
    return (
        f"CASE {delivery_sql} WHEN %s THEN %s WHEN %s THEN %s ELSE %s END",
        [
            Delivery.EMAIL.value,
            EmailStatus.PENDING.value,
            Delivery.DIGEST.value,
            EmailStatus.DIGEST.value,
            EmailStatus.NOT_REQUIRED.value,
        ],
    )


def email_status_sql(
    *, group: str, carries_deadline: bool, recipient: str = "recipient"
) -> tuple[str, list[Any], str, list[Any]]:
    """For ``notify_from_select`` (one kind, hence one group): the email status of each row as an
    SQL expression over the joined ``recipient`` user, and the LEFT JOINs it needs (with their
    parameters). The role's default is a ``CASE`` on ``recipient.role``, so a user without a
    preference row costs nothing more."""
    defaults = {role: default_delivery(role=role, group=group) for role in _roles()}
    if len(set(defaults.values())) == 1:
        default_sql, default_params = "%s", [next(iter(defaults.values()))]
    else:
        whens = " ".join("WHEN %s THEN %s" for _ in defaults)
        default_sql = f"CASE {recipient}.role {whens} ELSE %s END"
        default_params = [value for pair in defaults.items() for value in pair] + [
            default_delivery(role=Role.BUYER.value, group=group)
        ]
    by_delivery, by_delivery_params = _delivery_to_status_sql(f"COALESCE(preference.delivery, {default_sql})")
    joins = (
        f" LEFT JOIN {table(NotificationPreference)} AS preference"
        f" ON preference.user_id = {recipient}.id AND preference.kind_group = %s"
    )
    join_params: list[Any] = [group]
    deadline_sql, deadline_params = "", []
    if carries_deadline:
        deadline_sql = "WHEN COALESCE(notice_settings.deadline_email_now, TRUE) THEN %s "
        deadline_params = [EmailStatus.PENDING.value]
        joins += (
            f" LEFT JOIN {table(NotificationSettings)} AS notice_settings ON notice_settings.user_id = {recipient}.id"
        )
    sql = f"CASE WHEN {recipient}.email = '' THEN %s {deadline_sql}ELSE {by_delivery} END"
    # In the order of the placeholders: the defaults sit inside the COALESCE, before the CASE's own.
    params = [EmailStatus.NOT_REQUIRED.value, *deadline_params, *default_params, *by_delivery_params]
    return sql, params, joins, join_params


def drafts_email_status_sql(draft: str = "draft") -> tuple[str, list[Any], str]:
    """For ``notify`` and ``notify_many``: the email status of each JSON draft (which carries its
    recipient's ``has_email``, the kind's ``kind_group``, ``carries_deadline`` and the role's
    ``role_default``, all known in Python), and the LEFT JOINs it needs."""
    by_delivery, by_delivery_params = _delivery_to_status_sql(f"COALESCE(preference.delivery, {draft}.role_default)")
    sql = (
        f"CASE WHEN {draft}.has_email = 0 THEN %s"
        f" WHEN {draft}.carries_deadline = 1 AND COALESCE(notice_settings.deadline_email_now, TRUE) THEN %s"
        f" ELSE {by_delivery} END"
    )
    params = [EmailStatus.NOT_REQUIRED.value, EmailStatus.PENDING.value, *by_delivery_params]
    joins = (
        f" LEFT JOIN {table(NotificationPreference)} AS preference"
        f" ON preference.user_id = {draft}.recipient_id AND preference.kind_group = {draft}.kind_group"
        f" LEFT JOIN {table(NotificationSettings)} AS notice_settings ON notice_settings.user_id = {draft}.recipient_id"
    )
    return sql, params, joins


# --- Reading one user's settings ----------------------------------------------------------------


@dataclass(frozen=True)
class GroupChoice:
    group: str
    label: str
    delivery: str  # in effect
    default: str  # the role's
    is_chosen: bool  # a preference row exists
    kinds: tuple[str, ...]  # the labels of the kinds in the group


@dataclass(frozen=True)
class EffectivePreferences:
    user: User
    groups: tuple[GroupChoice, ...]
    deadline_email_now: bool

    def delivery(self, group: str) -> str:
        return next(choice.delivery for choice in self.groups if choice.group == group)

    def as_dict(self) -> dict[str, str]:
        return {choice.group: choice.delivery for choice in self.groups}


def preferences_for_users(users: Iterable[User]) -> dict[int, EffectivePreferences]:
    """Each user's settings in effect: two queries whatever the number of users."""
    users = list(users)
    ids = [user.pk for user in users]
    chosen: dict[int, dict[str, str]] = {user_id: {} for user_id in ids}
    for user_id, group, delivery in NotificationPreference.objects.filter(user_id__in=ids).values_list(
        "user_id", "group", "delivery"
    ):
        chosen[user_id][group] = delivery
    deadline = dict(NotificationSettings.objects.filter(user_id__in=ids).values_list("user_id", "deadline_email_now"))
    kinds_by_group: dict[str, list[str]] = {group: [] for group in KIND_GROUPS}
    for kind in notification_kinds():
        kinds_by_group[kind.group].append(kind.label)
    result = {}
    for user in users:
        groups = []
        for group in KIND_GROUPS:
            default = default_delivery(role=user.role, group=group)
            choice = chosen[user.pk].get(group)
            groups.append(
                GroupChoice(
                    group=group,
                    label=GROUP_LABELS[group],
                    delivery=choice or default,
                    default=default,
                    is_chosen=choice is not None,
                    kinds=tuple(kinds_by_group[group]),
                )
            )
        result[user.pk] = EffectivePreferences(
            user=user, groups=tuple(groups), deadline_email_now=deadline.get(user.pk, True)
        )
    return result


def preferences_for_user(user: User) -> EffectivePreferences:
    return preferences_for_users([user])[user.pk]


# --- Changing them ----------------------------------------------------------------------------


def _validated(groups: Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(groups, Mapping):
        raise InvalidInput("Expected an object: {group: delivery}.", field="groups", code="invalid")
    clean: dict[str, str] = {}
    for group, delivery in groups.items():
        if group not in KIND_GROUPS:
            raise InvalidInput(
                f"Unknown group {str(group)[:40]!r}; the groups are {', '.join(KIND_GROUPS)}.",
                field="groups",
                code="unknown_group",
            )
        if not isinstance(delivery, str) or delivery not in DELIVERIES:
            raise InvalidInput(
                f"{group}: expected one of {', '.join(DELIVERIES)}.", field="groups", code="invalid_delivery"
            )
        clean[group] = delivery
    return clean


@transaction.atomic
def notification_preferences_update(
    *,
    user: User,
    actor: User,
    now: datetime,
    groups: Mapping[str, Any] | None = None,
    deadline_email_now: bool | None = None,
) -> EffectivePreferences:
    """Set ``user``'s delivery for the groups named (the others keep theirs) and, when given, the
    deadline switch. ``actor`` is the user or the owner of the user's store (the caller checks who
    may act: ``preference_members_managed_by``). Upserts, so two saves at once never collide on the
    unique ``(user, group)``."""
    clean = _validated(groups or {})
    for group, delivery in clean.items():
        NotificationPreference.objects.update_or_create(
            user=user, group=group, defaults={"delivery": delivery, "updated_by": actor, "updated_at": now}
        )
    if deadline_email_now is not None:
        if not isinstance(deadline_email_now, bool):
            raise InvalidInput("Expected true or false.", field="deadline_email_now", code="invalid")
        NotificationSettings.objects.update_or_create(
            user=user,
            defaults={"deadline_email_now": deadline_email_now, "updated_by": actor, "updated_at": now},
        )
    return preferences_for_user(user)


# --- Owners and their store's members ----------------------------------------------------------

_delegations: list[Callable[[User], QuerySet[User]]] = []


def register_preference_delegation(members_managed_by: Callable[[User], QuerySet[User]]) -> None:
    """``members_managed_by(user)``: the other users whose notification settings ``user`` may
    change (a store's owner: the store's members). Registered by the app that knows stores."""
    if members_managed_by not in _delegations:
        _delegations.append(members_managed_by)


def preference_members_managed_by(user: User) -> QuerySet[User]:
    """The active users (never ``user``) whose settings ``user`` may see and change, by name."""
    queryset = User.objects.none()
    for members_managed_by in _delegations:
        queryset = queryset | members_managed_by(user)
    return (
        User.objects.filter(pk__in=queryset.values("pk"), is_active=True)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username", "id")
    )


# --- One-click unsubscribe (RFC 8058) ---------------------------------------------------------


def unsubscribe_token(*, user_id: int, groups: Iterable[str], deadline: bool = False) -> str:
    """A signed token naming the user and the groups an email was about (``deadline``: it was
    sent because of the deadline switch, which unsubscribing turns off too). No expiry: a
    months-old email's link still works; the salt keeps it from being any other signed value."""
    return signing.dumps({"u": user_id, "g": sorted(set(groups)), "d": bool(deadline)}, salt=UNSUBSCRIBE_SALT)


@dataclass(frozen=True)
class Unsubscription:
    user: User
    groups: tuple[str, ...]
    deadline: bool


def unsubscribe_token_read(token: str) -> Unsubscription | None:
    """The user and groups a token names; ``None`` when forged, damaged or the user is gone."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, groups, deadline = int(payload["u"]), payload["g"], bool(payload["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if not isinstance(groups, list) or not groups or any(group not in KIND_GROUPS for group in groups):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return Unsubscription(user=user, groups=tuple(groups), deadline=deadline)


def notification_unsubscribe(*, unsubscription: Unsubscription, now: datetime) -> EffectivePreferences:
    """The one-click unsubscribe: the groups the email was about go in-app only at once (and the
    deadline switch off, when the email was a deadline notice)."""
    return notification_preferences_update(
        user=unsubscription.user,
        actor=unsubscription.user,
        now=now,
        groups=dict.fromkeys(unsubscription.groups, Delivery.IN_APP.value),
        deadline_email_now=False if unsubscription.deadline else None,
    )
