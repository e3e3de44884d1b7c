"""The support queue in a real browser: a support agent logs into the console, reads the live
counts, opens the queue, takes the oldest escalation and answers the buyer as staff.
Screenshots: ``tests/e2e/screenshots/test_support_agent_works_the_queue-<step>.png``."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from inquiries.models import Escalation, Inquiry, InquiryStatus, Message, MessageKind
from inquiries.services.messaging import conversation_open
from inquiries.services.sweep import inquiries_escalate_overdue
from tests.accounts.factories import PASSWORD, BuyerFactory, UserFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def shoot(page: Page, step: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"test_support_agent_works_the_queue-{step}.png"), full_page=True)


def test_support_agent_works_the_queue(page: Page, live_server) -> None:
    now = timezone.now()
    store = SellerFactory(name="Acme Outfitters")
    SellerMemberFactory(seller=store)
    buyer = BuyerFactory(username="bella", first_name="Bella", last_name="Buyer")
    # Two questions nobody answered in time (escalated 5 h and 1.5 h ago), one due within the hour.
    for subject, hours_ago in (("Where is my parcel?", 9), ("Wrong colour delivered", 5.5)):
        opened = now - timedelta(hours=hours_ago)
        conversation_open(buyer=buyer, seller=store, subject=subject, body=f"{subject} Order 1042.", now=opened)
        inquiries_escalate_overdue(now=opened + timedelta(hours=4))
    conversation_open(
        buyer=buyer, seller=store, subject="Gift wrapping", body="Can you wrap it?", now=now - timedelta(hours=3.5)
    )
    UserFactory(username="ada", first_name="Ada", last_name="Agent", role=Role.SUPPORT)

    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    queues = page.get_by_role("region", name="Support queue, live")
    expect(queues).to_be_visible()
    for label, count in (
        ("Open inquiries", "3"),
        ("Due within the hour", "1"),
        ("Overdue", "2"),
        ("Unassigned escalations", "2"),
    ):
        expect(queues.get_by_role("link", name=f"{count} {label}", exact=True)).to_be_visible()
    shoot(page, "index")

    queues.get_by_role("link", name="2 Unassigned escalations").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Where is my parcel?")  # oldest first
    shoot(page, "queue")

    rows.first.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Assign to me")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Assigned to you: 1")
    # The filter still shows unassigned ones: the taken escalation has left this view.
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="Assigned to me").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ada Agent")
    shoot(page, "assigned")

    rows.first.get_by_role("link", name=re.compile("Where is my parcel")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Conversation \(\d+ messages\)"))).to_be_visible()
    expect(page.locator(".sp-thread")).to_contain_text("Where is my parcel? Order 1042.")
    page.get_by_label("Reply to the buyer").fill("Hi Bella, your parcel left today; tracking is on your order page.")
    page.get_by_role("button", name="Post reply").click()

    expect(page.locator(".messagelist")).to_contain_text("Reply posted")
    expect(page.locator(".sp-thread")).to_contain_text("your parcel left today")
    expect(page.locator(".field-resolution_display")).to_contain_text("Support replied by Ada Agent")
    shoot(page, "replied")

    escalation = Escalation.objects.select_related("inquiry").get(conversation__subject="Where is my parcel?")
    assert escalation.resolution == "staff_replied"
    assert Inquiry.objects.get(pk=escalation.inquiry_id).status == InquiryStatus.ANSWERED_BY_STAFF
    assert Message.objects.filter(kind=MessageKind.STAFF, author__username="ada").count() == 1
