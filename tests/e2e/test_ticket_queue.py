"""The console's ticket queue in a real browser: support picks two tickets, "Assign to me" in bulk
(Django's actions.js over the queue's own action bar), and finds them under "Assigned to me"; a queue
past its count's cap says "more than" and offers no "select all" across pages.
Screenshots: ``tests/e2e/screenshots/test_support_assigns_tickets_from_the_queue-<step>.png``."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from helpdesk.admin.tickets import QueuePaginator
from helpdesk.models import Ticket
from tests.accounts.factories import UserFactory
from tests.e2e.test_duplicate_charge_refund import console_log_in
from tests.e2e.test_inquiries_flow import shoot
from tests.helpdesk.factories import TicketFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("staff_groups")]


def test_support_assigns_tickets_from_the_queue(
    page: Page, live_server, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    first, second, third = (TicketFactory(subject=f"Where is parcel {n}?") for n in (1, 2, 3))
    UserFactory(username="ada", first_name="Ada", last_name="Agent", role=Role.SUPPORT)
    base = live_server.url

    console_log_in(page, base, "ada")
    page.goto(f"{base}/admin/helpdesk/ticket/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#result_list thead")).to_contain_text("Age")
    expect(rows.first.locator("td.field-age")).to_have_text(re.compile(r"(< 1 min|\d+ min)"))
    expect(page.locator("#changelist-search")).to_contain_text("3 results")

    rows.filter(has_text=first.reference).get_by_role("checkbox").check()
    rows.filter(has_text=second.reference).get_by_role("checkbox").check()
    expect(page.locator(".action-counter")).to_have_text("2 of 3 selected")
    page.locator("select[name=action]").select_option(label="Assign to me")
    shoot(page, request, "1-selected", mobile_too=False)
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Assigned to you: 2")

    page.locator("#changelist-filter").get_by_role("link", name="Assigned to me").click()
    expect(rows).to_have_count(2)
    expect(rows.first.locator("td.field-assignee")).to_have_text(re.compile("ada|Ada Agent"))
    assert set(Ticket.objects.filter(assignee__username="ada").values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Ticket.objects.get(pk=third.pk).assignee_id is None

    # Past the cap the queue says "more than" and selecting every row offers no "select all N".
    monkeypatch.setattr(QueuePaginator, "cap", 2)
    page.goto(f"{base}/admin/helpdesk/ticket/?queue=active")
    expect(page.locator("#changelist-search")).to_contain_text("more than 2 results")
    expect(page.locator(".paginator")).to_contain_text("more than 2 tickets (filter to narrow the list)")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Select all \d+ tickets"))).to_have_count(0)
    shoot(page, request, "2-capped", mobile_too=False)
