from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Role
from inquiries.models import ConversationStatus, Escalation, Inquiry, InquiryStatus, MessageKind
from inquiries.services.messaging import conversation_open, message_post
from inquiries.services.sweep import inquiries_sweep
from notifications.models import Kind, Notification
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def parties(db):  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    return {
        "seller": seller,
        "member": SellerMemberFactory(seller=seller),
        "buyer": BuyerFactory(),
        "support": UserFactory(role=Role.SUPPORT),
        "moderator": UserFactory(role=Role.MODERATOR),
    }


def test_question_is_warned_at_three_hours_and_escalated_at_four_exactly_once(parties):
    conversation = conversation_open(
        buyer=parties["buyer"], seller=parties["seller"], subject="Is it waterproof?", body="Is it?", now=T0
    )
    assert [m.kind for m in conversation.messages.all()] == [MessageKind.BUYER, MessageKind.AUTO_ACK]
    assert "usually replies within 4 hours" in conversation.messages.last().body
    assert Notification.objects.filter(kind=Kind.INQUIRY_RECEIVED, recipient=parties["member"]).count() == 1

    assert inquiries_sweep(now=T0 + timedelta(hours=2, minutes=59)) == {"escalated": 0, "warned": 0}
    assert inquiries_sweep(now=T0 + timedelta(hours=3)) == {"escalated": 0, "warned": 1}
    assert inquiries_sweep(now=T0 + timedelta(hours=3, minutes=30)) == {"escalated": 0, "warned": 0}
    assert inquiries_sweep(now=T0 + timedelta(hours=4)) == {"escalated": 1, "warned": 0}
    assert inquiries_sweep(now=T0 + timedelta(hours=9)) == {"escalated": 0, "warned": 0}

    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ESCALATED
    assert Escalation.objects.filter(conversation=conversation).count() == 1
    escalated = Notification.objects.filter(kind=Kind.INQUIRY_ESCALATED)
    assert set(escalated.values_list("recipient__username", flat=True)) == {
        parties[name].username for name in ("buyer", "member", "support", "moderator")
    }
    assert Notification.objects.filter(kind=Kind.INQUIRY_WARNING).count() == 2  # seller member + support

    message_post(conversation=conversation, author=parties["support"], body="We're on it.", now=T0 + timedelta(hours=5))
    inquiry = Inquiry.objects.get(conversation=conversation)
    assert inquiry.status == InquiryStatus.ANSWERED_BY_STAFF
    assert inquiry.is_within_target is False
    assert Escalation.objects.get().resolution == "staff_replied"
