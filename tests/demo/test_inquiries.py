"""The demo conversations ``seed_demo`` replays through the inquiry services: history for the KPIs,
a live inbox for the demo logins, and nothing mailed for the past."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from inquiries.models import (
    Conversation,
    ConversationStatus,
    Escalation,
    Inquiry,
    InquiryClock,
    InquiryStatus,
    MessageKind,
)
from inquiries.selectors.conversations import conversation_status_q
from inquiries.selectors.kpis import response_metrics
from inquiries.services.sweep import inquiries_sweep
from marketplace.models import Seller
from notifications.models import EmailStatus, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    call_command("seed_demo", "--orders", "60", stdout=StringIO())


def test_history_gives_each_demo_store_kpis_near_the_target(seeded: None) -> None:
    now = timezone.now()
    for seller in Seller.objects.filter(memberships__user__username__in=["seller", "seller2"]):
        metrics = response_metrics(seller_id=seller.pk, start=now - timedelta(days=181), end=now, now=now)
        assert metrics.inquiries >= 40
        assert metrics.within_target_pct is not None and 70 <= metrics.within_target_pct <= 100
    assert Inquiry.objects.filter(status=InquiryStatus.EXCLUDED).exists()
    assert Inquiry.objects.filter(status=InquiryStatus.ANSWERED_BY_STAFF).exists()


def test_every_conversation_reads_like_the_services_wrote_it(seeded: None) -> None:
    for conversation in Conversation.objects.prefetch_related("messages")[:50]:
        kinds = [message.kind for message in conversation.messages.all()]
        assert kinds[:2] == [MessageKind.BUYER, MessageKind.AUTO_ACK]
        assert conversation.created_at == conversation.messages.all()[0].created_at


def test_live_inbox_has_a_countdown_a_warning_to_come_and_one_for_the_sweep(seeded: None) -> None:
    now = timezone.now()
    running = InquiryClock.objects.filter(stopped_at__isnull=True)
    assert running.filter(due_at__gt=now, warned_at__isnull=True).count() >= 2
    assert Escalation.objects.filter(resolved_at__isnull=True).count() == 1
    overdue = running.filter(due_at__lte=now, escalated_at__isnull=True)
    assert overdue.count() == 1

    result = inquiries_sweep(now=now)

    assert result["escalated"] == 1
    assert Conversation.objects.filter(conversation_status_q(ConversationStatus.ESCALATED)).count() == 2


def test_history_notifications_are_read_and_nothing_is_mailed(seeded: None) -> None:
    old = Notification.objects.filter(created_at__lt=timezone.now() - timedelta(days=1))
    assert old.filter(kind="inquiry_received").count() >= 80
    assert not old.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True, kind="inquiry_received").exists()
    assert not Notification.objects.exclude(email_status=EmailStatus.NOT_REQUIRED).filter(kind__startswith="inquiry")
    assert mail.outbox == []
