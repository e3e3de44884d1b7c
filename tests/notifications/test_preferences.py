"""Each user's delivery per group, honoured by every writer (``notify``, ``notify_many``,
``notify_from_select``) in the statement that writes the notifications: email now → ``pending``,
digest → ``digest``, in-app → ``not_required``; deadline notices emailed at once while the user's
switch is on; the role's default where the user never chose."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from core.exceptions import InvalidInput
from core.sql import table
from helpdesk.notices import Kind as TicketKind
from inquiries.notices import Kind as MessageKind
from marketplace.notices import Kind as OrderKind
from notifications.models import (
    KIND_GROUPS,
    EmailStatus,
    Notification,
    NotificationPreference,
    notification_kind,
)
from notifications.services.bulk import Draft, emails_suppressed, notify_from_select, notify_many
from notifications.services.notify import notify
from notifications.services.preferences import (
    default_delivery,
    notification_preferences_update,
    preferences_for_user,
)
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.notifications.factories import NotificationPreferenceFactory, NotificationSettingsFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
STATUS_FOR = {"email": EmailStatus.PENDING, "digest": EmailStatus.DIGEST, "in_app": EmailStatus.NOT_REQUIRED}


def test_deadline_kinds_are_marked_in_the_registry() -> None:
    deadline = {kind.value for kind in map(notification_kind, _all_kinds()) if kind.carries_deadline}
    assert deadline == {
        "inquiry_warning",
        "inquiry_escalated",
        "ticket_warning",
        "ticket_breached",
        "low_rating_review",
        "review_escalated",
    }


def _all_kinds() -> list[str]:
    from notifications.models import notification_kinds

    return [kind.value for kind in notification_kinds()]


def test_defaults_per_role_when_the_user_never_chose() -> None:
    buyer = BuyerFactory()
    seller = UserFactory(role=Role.SELLER)
    support = UserFactory(role=Role.SUPPORT)

    assert preferences_for_user(buyer).as_dict() == {
        "messages": "email",
        "reviews": "email",
        "tickets": "email",
        "surveys": "email",
        "standing": "in_app",
        "statements": "email",
        "orders": "email",
        "integrations": "in_app",
    }
    assert preferences_for_user(seller).as_dict() == {
        "messages": "email",
        "reviews": "email",
        "tickets": "email",
        "surveys": "digest",
        "standing": "digest",
        "statements": "digest",
        "orders": "email",
        "integrations": "email",
    }
    support_preferences = preferences_for_user(support)
    assert support_preferences.as_dict()["messages"] == "digest"
    assert support_preferences.as_dict()["tickets"] == "email"
    assert support_preferences.deadline_email_now is True
    assert not any(choice.is_chosen for choice in support_preferences.groups)
    assert default_delivery(role="no-such-role", group="standing") == "in_app"  # a buyer's


def test_a_choice_overrides_the_default_and_the_rest_keep_theirs() -> None:
    seller = UserFactory(role=Role.SELLER)
    notification_preferences_update(user=seller, actor=seller, now=NOW, groups={"messages": "digest"})
    notification_preferences_update(user=seller, actor=seller, now=NOW, groups={"messages": "in_app"})

    preferences = preferences_for_user(seller)
    assert preferences.as_dict()["messages"] == "in_app"
    assert preferences.as_dict()["reviews"] == "email"
    assert NotificationPreference.objects.filter(user=seller).count() == 1  # upserted, not duplicated


@pytest.mark.parametrize(
    ("groups", "field_message"),
    [
        ({"nonsense": "email"}, "Unknown group 'nonsense'"),
        ({"messages": "fax"}, "messages: expected one of in_app, email, digest."),
        ({"messages": ["email"]}, "messages: expected one of"),
    ],
)
def test_an_unknown_group_or_delivery_is_refused_and_nothing_changes(groups, field_message) -> None:
    buyer = BuyerFactory()
    with pytest.raises(InvalidInput) as refused:
        notification_preferences_update(user=buyer, actor=buyer, now=NOW, groups={"orders": "digest", **groups})
    assert refused.value.field == "groups"
    assert field_message in refused.value.message
    assert not NotificationPreference.objects.exists()


# --- notify ------------------------------------------------------------------------------------


@pytest.mark.parametrize("delivery", ["email", "digest", "in_app"])
def test_notify_honours_each_choice(delivery) -> None:
    buyer = BuyerFactory()
    NotificationPreferenceFactory(user=buyer, group="orders", delivery=delivery)

    (created,) = notify(recipients=[buyer], kind=OrderKind.REFUND_ISSUED, title="Refund")

    assert created.email_status == STATUS_FOR[delivery]
    assert Notification.objects.get().email_status == STATUS_FOR[delivery]
    assert created.pk == Notification.objects.get().pk


def test_notify_is_one_statement_whatever_the_preferences(django_assert_num_queries) -> None:
    users = [BuyerFactory() for _ in range(3)]
    NotificationPreferenceFactory(user=users[0], group="orders", delivery="digest")
    NotificationSettingsFactory(user=users[1], deadline_email_now=False)
    with django_assert_num_queries(1):
        created = notify(recipients=users, kind=OrderKind.REFUND_ISSUED, title="Refund")
    assert [row.email_status for row in created] == ["digest", "pending", "pending"]
    assert [row.recipient for row in created] == users


def test_a_deadline_notice_is_emailed_at_once_while_the_switch_is_on_whatever_the_group() -> None:
    on = UserFactory(role=Role.SELLER, username="switch-on")
    off = UserFactory(role=Role.SELLER, username="switch-off")
    for user in (on, off):
        NotificationPreferenceFactory(user=user, group="messages", delivery="in_app")
    NotificationSettingsFactory(user=off, deadline_email_now=False)

    created = notify(recipients=[on, off], kind=MessageKind.INQUIRY_WARNING, title="3 h waiting")
    plain = notify(recipients=[on, off], kind=MessageKind.INQUIRY_RECEIVED, title="New inquiry")

    assert {row.recipient.username: row.email_status for row in created} == {
        "switch-on": "pending",
        "switch-off": "not_required",
    }
    assert {row.email_status for row in plain} == {"not_required"}


def test_no_address_or_suppressed_emails_stay_in_app_whatever_the_choice() -> None:
    no_address = BuyerFactory(email="")
    chosen = BuyerFactory()
    NotificationPreferenceFactory(user=chosen, group="orders", delivery="digest")
    assert notify(recipients=[no_address], kind=OrderKind.REFUND_ISSUED, title="R")[0].email_status == "not_required"
    with emails_suppressed():
        assert notify(recipients=[chosen], kind=OrderKind.REFUND_ISSUED, title="R")[0].email_status == "not_required"
    assert notify(recipients=[chosen], kind=OrderKind.REFUND_ISSUED, title="R", send_email=False)[0].email_status == (
        "not_required"
    )


# --- notify_many -------------------------------------------------------------------------------


def test_notify_many_honours_each_recipients_choice_per_group_in_one_statement() -> None:
    users = {delivery: BuyerFactory(username=f"many-{delivery}") for delivery in ("email", "digest", "in_app")}
    for delivery, user in users.items():
        NotificationPreferenceFactory(user=user, group="tickets", delivery=delivery)
    default_user = UserFactory(username="many-support", role=Role.SUPPORT)  # staff: messages → digest
    drafts = [Draft(recipient=user, kind=TicketKind.TICKET_REPLY, title="Reply") for user in users.values()]
    drafts += [
        Draft(recipient=default_user, kind=MessageKind.INQUIRY_RECEIVED, title="Q"),
        Draft(recipient=default_user, kind=TicketKind.TICKET_BREACHED, title="Breached"),  # deadline
        Draft(recipient=UserFactory(is_active=False), kind=TicketKind.TICKET_REPLY, title="Nobody"),
    ]

    with CaptureQueriesContext(connection) as queries:
        assert notify_many(drafts=drafts, now=NOW) == 5

    assert len(queries.captured_queries) == 1
    statuses = {
        (row.recipient.username, row.kind): row.email_status for row in Notification.objects.select_related("recipient")
    }
    assert statuses == {
        ("many-email", "ticket_reply"): "pending",
        ("many-digest", "ticket_reply"): "digest",
        ("many-in_app", "ticket_reply"): "not_required",
        ("many-support", "inquiry_received"): "digest",
        ("many-support", "ticket_breached"): "pending",
    }
    assert set(Notification.objects.values_list("created_at", flat=True)) == {NOW}


# --- notify_from_select --------------------------------------------------------------------------


def _select_all_buyers() -> tuple[str, list[object]]:
    return (
        f"SELECT buyer.id AS recipient_id, %s AS title, '' AS body, %s AS link FROM {table(User)} AS buyer"  # noqa: S608
        " WHERE buyer.username LIKE %s",
        ["Order news", "/orders/", "fs-%"],
    )


@pytest.mark.parametrize("delivery", ["email", "digest", "in_app"])
def test_notify_from_select_honours_each_choice(delivery) -> None:
    chooser = BuyerFactory(username="fs-chooser")
    default = BuyerFactory(username="fs-default")
    seller = UserFactory(username="fs-seller", role=Role.SELLER)
    NotificationPreferenceFactory(user=chooser, group="standing", delivery=delivery)
    sql, params = _select_all_buyers()

    assert notify_from_select(kind=MessageKind.SELLER_STANDING, select_sql=sql, params=params, now=NOW) == 3

    statuses = dict(Notification.objects.values_list("recipient__username", "email_status"))
    assert statuses == {
        "fs-chooser": STATUS_FOR[delivery],
        "fs-default": "not_required",  # a buyer's default for standing: in-app
        "fs-seller": "digest",  # a seller's: the digest
    }
    assert default.pk and seller.pk


def test_notify_from_select_deadline_kind_follows_the_switch() -> None:
    on = UserFactory(username="fs-on", role=Role.SUPPORT)  # messages → digest by default
    off = UserFactory(username="fs-off", role=Role.SUPPORT)
    NotificationSettingsFactory(user=off, deadline_email_now=False)
    sql, params = _select_all_buyers()

    notify_from_select(kind=MessageKind.INQUIRY_ESCALATED, select_sql=sql, params=params, now=NOW)

    assert dict(Notification.objects.values_list("recipient__username", "email_status")) == {
        "fs-on": "pending",
        "fs-off": "digest",
    }
    assert on.pk and off.pk


def _statements_for(count: int) -> int:
    sql, params = _select_all_buyers()
    with CaptureQueriesContext(connection) as queries:
        assert notify_from_select(kind=MessageKind.INQUIRY_WARNING, select_sql=sql, params=params, now=NOW) == count
    return len(queries.captured_queries)


def test_notify_from_select_is_one_statement_for_10_or_1000_rows() -> None:
    users = User.objects.bulk_create(
        [User(username=f"fs-{index}", email=f"fs-{index}@example.com", role=Role.SELLER) for index in range(1000)]
    )
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(
                user=user, group="messages", delivery=("digest", "in_app", "email")[index % 3], updated_at=NOW
            )
            for index, user in enumerate(users)
        ]
    )
    User.objects.filter(username__in=[f"fs-{index}" for index in range(10, 1000)]).update(is_active=False)
    ten = _statements_for(10)
    User.objects.update(is_active=True)
    thousand = _statements_for(1000)

    assert ten == thousand == 1
    # The deadline switch is on for everyone (no settings rows): all pending, whatever the group.
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}


def test_every_group_has_a_default_for_every_role() -> None:
    for role in Role.values:
        for group in KIND_GROUPS:
            assert default_delivery(role=role, group=group) in {"email", "digest", "in_app"}
