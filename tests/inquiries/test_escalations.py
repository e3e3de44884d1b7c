"""The support queue's assign service (used by the API and the console)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Role
from core.exceptions import Forbidden, InvalidInput, StateConflict
from inquiries.models import ConversationEvent, Escalation
from inquiries.services.escalations import escalation_assign, user_may_work_escalations
from inquiries.services.messaging import conversation_open, message_post
from inquiries.services.sweep import inquiries_sweep
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def escalation(db):  # type: ignore[no-untyped-def]
    seller = SellerFactory()
    SellerMemberFactory(seller=seller)
    conversation_open(buyer=BuyerFactory(), seller=seller, subject="Where is it?", body="Where is my parcel?", now=T0)
    inquiries_sweep(now=T0 + timedelta(hours=4))
    return Escalation.objects.get()


def _assigned_events() -> list[tuple[str, str]]:
    return list(
        ConversationEvent.objects.filter(kind=ConversationEvent.Kind.ASSIGNED).values_list("actor__username", "note")
    )


def test_support_assigns_an_escalation_to_themselves_with_an_audit_row(escalation):
    agent = UserFactory(username="agent", role=Role.SUPPORT)
    now = T0 + timedelta(hours=5)
    escalation_assign(escalation=escalation, assignee=agent, actor=agent, now=now)
    escalation.refresh_from_db()
    assert (escalation.assignee, escalation.assigned_at) == (agent, now)
    assert _assigned_events() == [("agent", "assigned to agent")]


def test_reassigning_to_the_same_agent_writes_nothing(escalation):
    agent = UserFactory(role=Role.SUPPORT)
    escalation_assign(escalation=escalation, assignee=agent, actor=agent, now=T0)
    escalation_assign(escalation=escalation, assignee=agent, actor=agent, now=T0 + timedelta(minutes=1))
    escalation.refresh_from_db()
    assert escalation.assigned_at == T0
    assert len(_assigned_events()) == 1


def test_a_moderator_reassigns_and_unassigns(escalation):
    first, second = UserFactory(username="first", role=Role.SUPPORT), UserFactory(username="second", role=Role.SUPPORT)
    moderator = UserFactory(username="mod", role=Role.MODERATOR)
    escalation_assign(escalation=escalation, assignee=first, actor=moderator, now=T0)
    escalation_assign(escalation=escalation, assignee=second, actor=moderator, now=T0)
    escalation_assign(escalation=escalation, assignee=None, actor=moderator, now=T0)
    escalation.refresh_from_db()
    assert (escalation.assignee, escalation.assigned_at) == (None, None)
    notes = [note for _, note in _assigned_events()]
    assert notes == [
        "assigned to first",
        f"reassigned to second (was user {first.pk})",
        f"unassigned (was user {second.pk})",
    ]


@pytest.mark.parametrize("role", [Role.FINANCE, Role.INTEGRATION, Role.BUYER, Role.SELLER])
def test_only_queue_staff_may_assign(escalation, role):
    actor = UserFactory(role=role)
    with pytest.raises(Forbidden):
        escalation_assign(escalation=escalation, assignee=actor, actor=actor, now=T0)
    escalation.refresh_from_db()
    assert escalation.assignee is None
    assert _assigned_events() == []


def test_the_assignee_must_work_the_queue(escalation):
    with pytest.raises(InvalidInput) as error:
        escalation_assign(escalation=escalation, assignee=UserFactory(role=Role.FINANCE), actor=AdminFactory(), now=T0)
    assert error.value.field == "assignee"
    assert _assigned_events() == []


def test_a_resolved_escalation_cannot_be_assigned(escalation):
    agent = UserFactory(role=Role.SUPPORT)
    message_post(conversation=escalation.conversation, author=agent, body="Sorted.", now=T0 + timedelta(hours=5))
    escalation.refresh_from_db()
    with pytest.raises(StateConflict):
        escalation_assign(escalation=escalation, assignee=agent, actor=agent, now=T0 + timedelta(hours=6))
    assert _assigned_events() == []


def test_who_works_the_queue(db):
    assert user_may_work_escalations(UserFactory(role=Role.SUPPORT))
    assert user_may_work_escalations(UserFactory(role=Role.MODERATOR))
    assert user_may_work_escalations(AdminFactory())
    assert not user_may_work_escalations(UserFactory(role=Role.FINANCE))
    assert not user_may_work_escalations(UserFactory(role=Role.SUPPORT, is_active=False))
    assert not user_may_work_escalations(None)
