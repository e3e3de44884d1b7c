"""The console's conversation page as a place to work (issue 14): the thread with a reply form and
the staff templates, the order's status and tracking beside it, its escalation linked, and the
history in words."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from inquiries.models import Conversation, Escalation, Message, MessageKind
from inquiries.services.escalations import escalation_assign
from inquiries.services.messaging import conversation_open, message_post
from inquiries.services.sweep import inquiries_escalate_overdue
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.factories import ReplyTemplateFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory, ShipmentFactory, TrackingEventFactory

pytestmark = pytest.mark.django_db

OPENED = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(client: Client, conversation: Conversation, query: str = "") -> str:
    response = client.get(reverse("admin:inquiries_conversation_change", args=[conversation.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.SUPPORT, username="alex", first_name="Alex", last_name="Agent")


@pytest.fixture
def escalated(agent: User) -> Conversation:
    """A buyer's question about a shipped order, never answered by the seller: escalated, taken by Alex."""
    seller = SellerFactory(name="Northwind")
    SellerMemberFactory(seller=seller)
    buyer = BuyerFactory(first_name="Bella", last_name="Buyer")
    shipment = ShipmentFactory(
        order__buyer=buyer, order__seller=seller, order__number="SP-2026-000162", carrier="DHL", tracking_number="TRK1"
    )
    TrackingEventFactory(
        shipment=shipment, occurred_at=OPENED - timedelta(hours=20), description="Departed facility", location="Leipzig"
    )
    TrackingEventFactory(
        shipment=shipment, occurred_at=OPENED - timedelta(hours=2), description="Arrived at depot", location="Berlin"
    )
    conversation = conversation_open(
        buyer=buyer,
        seller=seller,
        subject="Where is my parcel?",
        body="Where is my parcel? The tracking has not moved.",
        order=shipment.order,
        now=OPENED,
    )
    inquiries_escalate_overdue(now=OPENED + timedelta(hours=5))
    escalation = Escalation.objects.get(conversation=conversation)
    escalation_assign(escalation=escalation, assignee=agent, actor=agent, now=OPENED + timedelta(hours=5, minutes=10))
    return conversation


def test_the_page_shows_the_thread_the_order_with_tracking_the_escalation_and_the_history_in_words(
    agent: User, escalated: Conversation
) -> None:
    page = page_of(client_for(agent), escalated)

    assert "Where is my parcel? The tracking has not moved." in page  # the thread
    assert 'id="reply"' in page and "Post reply" in page
    # The order beside the thread: its status and the latest carrier scans, newest first.
    order = escalated.order
    assert f'<a href="{reverse("admin:marketplace_order_change", args=[order.pk])}">SP-2026-000162</a>' in page
    assert "<strong>Shipped</strong>" in page
    assert page.index("Arrived at depot") < page.index("Departed facility")
    # Its escalation, linked, with who has it.
    escalation = Escalation.objects.get(conversation=escalated)
    assert (
        f'href="{reverse("admin:inquiries_escalation_change", args=[escalation.pk])}">Open the escalation</a>' in page
    )
    assert "assigned to Alex Agent" in page
    # The history in words, oldest first; no raw kinds or ids.
    history = page[page.index('<ol class="sp-history">') : page.index("</ol>", page.index('<ol class="sp-history">'))]
    expected = [
        "2026-11-03 09:00 UTC</time> Conversation opened by Bella Buyer",
        "Waiting for the seller&#x27;s reply, reply due by 2026-11-03 13:00 UTC",
        "Auto-acknowledgement sent to the buyer",
        "2026-11-03 14:00 UTC</time> Escalated to support: no seller reply within 4 hours",
        "2026-11-03 14:10 UTC</time> Escalation assigned to Alex Agent (took it)",
    ]
    positions = [history.index(line) for line in expected]
    assert positions == sorted(positions)
    for raw in ("auto_ack", "inquiry_opened", "#" + str(escalated.pk)):
        assert raw not in history
    # Computed times read like the stored ones: in the reader's zone, never "+00:00" ISO text.
    assert "+00:00</" not in page and "2026-11-03 14:00 UTC" in page[page.index("field-escalated") :]


def test_a_staff_template_fills_the_reply_box_and_the_matching_one_is_suggested(
    agent: User, escalated: Conversation
) -> None:
    tracking = ReplyTemplateFactory(
        seller=None,
        title="Staff: where is my parcel",
        body="Hi {customer_name}, your order {order_number} is with the carrier.",
        keywords="parcel tracking where delivery",
    )
    ReplyTemplateFactory(seller=None, title="Staff: refund status", body="Hi {customer_name}, about your refund.")
    ReplyTemplateFactory(seller=escalated.seller, title="Seller's own reply", body="Not for staff.")
    client = client_for(agent)

    page = page_of(client, escalated)
    assert f'<option value="{tracking.pk}">Staff: where is my parcel (suggested)</option>' in page
    assert "Seller&#x27;s own reply" not in page

    filled = page_of(client, escalated, f"?template={tracking.pk}")
    assert "Hi Bella, your order SP-2026-000162 is with the carrier.</textarea>" in filled
    assert f'<option value="{tracking.pk}" selected>' in filled


def test_posting_a_reply_answers_as_support_and_resolves_the_escalation(agent: User, escalated: Conversation) -> None:
    response = client_for(agent).post(
        reverse("admin:inquiries_conversation_reply", args=[escalated.pk]), {"body": "It arrives tomorrow."}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inquiries_conversation_change", args=[escalated.pk])
    reply = Message.objects.filter(conversation=escalated).latest("created_at", "id")
    assert (reply.kind, reply.author, reply.body) == (MessageKind.STAFF, agent, "It arrives tomorrow.")
    assert Escalation.objects.get(conversation=escalated).resolved_at is not None


def test_an_empty_reply_is_refused_on_the_form_and_nothing_is_posted(agent: User, escalated: Conversation) -> None:
    before = Message.objects.filter(conversation=escalated).count()

    response = client_for(agent).post(reverse("admin:inquiries_conversation_reply", args=[escalated.pk]), {"body": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Message.objects.filter(conversation=escalated).count() == before
    assert Escalation.objects.get(conversation=escalated).resolved_at is None


def test_finance_reads_the_page_without_a_reply_form(escalated: Conversation) -> None:
    moderator_page = page_of(client_for(UserFactory(role=Role.MODERATOR)), escalated)
    assert 'id="reply"' in moderator_page  # moderators work escalations too
    finance = UserFactory(role=Role.FINANCE)
    response = client_for(finance).get(reverse("admin:inquiries_conversation_change", args=[escalated.pk]))
    assert response.status_code == 403  # finance holds no inquiries permission
    refused = client_for(finance).post(
        reverse("admin:inquiries_conversation_reply", args=[escalated.pk]), {"body": "x"}
    )
    assert refused.status_code in (403, 404)
    assert not Message.objects.filter(conversation=escalated, body="x").exists()


def test_the_page_costs_the_same_queries_for_3_and_30_messages(agent: User, escalated: Conversation) -> None:
    client = client_for(agent)
    page_of(client, escalated)  # session and permission caches warm

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page_of(client, escalated)
        return len(queries)

    few = count()
    member = escalated.seller.memberships.get().user
    for number in range(27):
        author = member if number % 2 else escalated.buyer
        message_post(
            conversation=escalated,
            author=author,
            body=f"Message {number}",
            now=OPENED + timedelta(hours=6, minutes=number),
        )
    assert count() == few
