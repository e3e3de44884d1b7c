"""The console shaped by role (``core.console_navigation``): each staff member's index and sidebar
show their own queues and lists; every model list waits in one collapsed "Records" group."""

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from core.console_navigation import (
    ConsoleLink,
    ConsoleQueue,
    ConsoleSection,
    console_groups_for,
    console_sections_for,
    register_console_section,
)
from marketplace.services.refunds import refund_grant, refund_grant_send
from tests.accounts.factories import AdminFactory, UserFactory
from tests.marketplace.factories import OrderFactory
from tests.marketplace.factories_billing import PaymentFactory

pytestmark = pytest.mark.django_db

CARD = re.compile(
    r'<a class="sp-card[^"]*" href="(?P<url>[^"]+)">\s*<span class="sp-card__count">(?P<count>\d+)</span>\s*'
    r'<span class="sp-card__label">(?P<label>[^<]+)</span>'
)
SECTION_HEADING = re.compile(r'<h2 id="sp-section-[^"]+-heading">(?P<title>[^<]+?) <span class="sp-queues__group">')
SIDEBAR_GROUP = re.compile(
    r'<div class="module sp-nav-group" id="sp-nav-[^"]+">\s*<table>\s*'
    r'<caption><span class="section">(?P<title>[^<]+)</span>'
)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def staff(role: Role) -> User:
    return (AdminFactory if role == Role.ADMIN else UserFactory)(role=role)


def index(user: User) -> str:
    response = client_for(user).get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def groups_of(user: User) -> dict[str, list[str]]:
    return {
        group.title: [item.label for section in group.sections for item in (*section.queues, *section.links)]
        for group in console_groups_for(user)
    }


def grants_waiting(count: int) -> None:
    support, finance = staff(Role.SUPPORT), staff(Role.FINANCE)
    for number in range(count + 1):
        order = OrderFactory(subtotal=Decimal("500.00"), shipping_fee=0, tax=0, total=Decimal("500.00"))
        grant = refund_grant(
            payment=PaymentFactory(order=order),
            amount=Decimal("200.00"),
            reason="Returned",
            actor=support,
            now=timezone.now(),
        )
        if number == count:  # one already sent: not waiting
            refund_grant_send(grant=grant, actor=finance, now=timezone.now())


def test_finance_lands_on_its_refunds_and_tickets_with_the_records_collapsed() -> None:
    grants_waiting(2)
    finance = staff(Role.FINANCE)
    client = client_for(finance)
    page = index(finance)

    assert [match["title"] for match in SECTION_HEADING.finditer(page)] == [
        "Refunds and invoices",
        "Tickets escalated to finance",
        "Royalty statements",
    ]
    cards = {match["label"]: (int(match["count"]), match["url"].replace("&amp;", "&")) for match in CARD.finditer(page)}
    assert cards == {
        "Refunds to send": (2, reverse("admin:marketplace_refundgrant_changelist") + "?status__exact=granted"),
        "Escalated: Finance": (
            0,
            reverse("admin:helpdesk_ticket_changelist") + "?queue=escalated&department__exact=finance",
        ),
        "Statements to approve": (0, reverse("admin:royalty_statement_changelist") + "?status__exact=draft"),
        "Approved, to pay": (0, reverse("admin:royalty_statement_changelist") + "?status__exact=approved"),
        "Adjustments for a second approver": (
            0,
            reverse("admin:royalty_adjustment_changelist") + "?status__exact=pending",
        ),
    }
    listed = client.get(cards["Refunds to send"][1])
    assert listed.context["cl"].result_count == 2
    # Every model list is there, but inside one closed "Records" group, after the queues.
    assert '<details class="sp-records sp-records--index">' in page
    records = page[page.index('<details class="sp-records') :]
    assert records.count('class="viewlink"') + records.count('class="changelink"') > 20
    assert page.index("Refunds to send") < page.index('<details class="sp-records')
    assert "Support queue, live" not in page and "Reviews, live" not in page


def test_each_role_sees_only_its_own_groups_in_the_sidebar() -> None:
    assert groups_of(staff(Role.SUPPORT)) == {
        "Support": [
            "Open inquiries",
            "Due within the hour",
            "Overdue",
            "Unassigned escalations",
            "Escalations assigned to me",
            "Conversations",
            "New tickets",
            "Past target",
            "Escalated: Finance",
            "Escalated: Billing",
            "Escalated: Logistics",
            "Escalated: Technical",
            "Macros",
            "Help articles",
            "Help centre report",
            "Open review cases",
            "Escalated reviews, unanswered",
            "Negative reviews awaiting a response",
            "Review metrics",
            "Orders",
            "Payments",
            "Refund grants",
            "Receipts",
        ],
        "Feedback": [
            "CSAT report",
            "Unsatisfied answers",
            "Feedback log",
            "Feature requests",
            "Action plans",
            "Keyword rules",
            "Survey invitations",
        ],
    }
    assert groups_of(staff(Role.MODERATOR)) == {
        "Moderation": [
            "Negative reviews awaiting a response",
            "Flagged responses to moderate",
            "Open review cases",
            "Escalated reviews, unanswered",
            "Review metrics",
            "Seller strikes",
            "Response templates",
            "Seller standings",
            "Exclusion flags",
            "Quick-reply templates",
            "Escalated inquiries",
        ],
        "Feedback": [
            "CSAT report",
            "Unsatisfied answers",
            "Feedback log",
            "Feature requests",
            "Action plans",
            "Keyword rules",
            "Survey invitations",
        ],
    }
    assert groups_of(staff(Role.FINANCE)) == {
        "Finance": [
            "Refunds to send",
            "Refund grants",
            "Refunds sent",
            "Invoices (current versions)",
            "Payments",
            "Receipts",
            "Escalated: Finance",
            "Statements to approve",
            "Approved, to pay",
            "Adjustments for a second approver",
            "Generate statements",
            "Affiliate impact",
            "Affiliates",
            "Rule sets",
            "Payout batches",
        ]
    }
    assert groups_of(staff(Role.INTEGRATION)) == {
        "Integration": ["Sellers", "Products", "Orders", "Shipments", "Invoices", "Payments", "API documentation"]
    }
    assert list(groups_of(staff(Role.ADMIN))) == ["Support", "Moderation", "Feedback", "Finance", "Integration"]
    assert groups_of(UserFactory(role=Role.BUYER)) == {}


def test_the_sidebar_of_a_list_shows_the_users_groups_then_the_records_closed() -> None:
    finance = staff(Role.FINANCE)
    page = client_for(finance).get(reverse("admin:marketplace_payment_changelist")).content.decode()
    sidebar = page[
        page.index('<nav class="sticky" id="nav-sidebar"') : page.index("</nav>", page.index('id="nav-sidebar"'))
    ]
    assert [match["title"] for match in SIDEBAR_GROUP.finditer(sidebar)] == ["Finance"]
    assert "Refunds to send" in sidebar and "Open inquiries" not in sidebar
    assert '<details class="sp-records">' in sidebar  # closed
    assert ">Invoice lines</a>" in sidebar[sidebar.index("sp-records") :]


def test_a_section_never_offers_a_list_its_reader_may_not_open() -> None:
    support = staff(Role.SUPPORT)
    support.groups.clear()  # the role without its permissions
    support = User.objects.get(pk=support.pk)  # a fresh permission cache
    assert console_sections_for(support) == []
    page = index(support)
    assert not CARD.search(page) and not SECTION_HEADING.search(page)
    assert '<details class="sp-records sp-records--index" open>' in page  # nothing else to show


def test_a_superuser_sees_every_section_and_each_trend_once() -> None:
    page = index(staff(Role.ADMIN))
    titles = [match["title"] for match in SECTION_HEADING.finditer(page)]
    assert titles == [
        "Support queue, live",
        "Help desk, live",
        "Reviews, live",
        "Orders and payments",
        "Reviews, live",
        "Sellers",
        "Feedback and CSAT",
        "Refunds and invoices",
        "Tickets escalated to finance",
        "Royalty statements",
        "What your system pushed in",
        "Webhooks",
    ]
    assert page.count('id="sp-response-trend-svg-title"') == 1
    assert page.count('id="sp-review-trend-svg-title"') == 1


def test_a_section_key_cannot_be_registered_twice_with_other_contents() -> None:
    section = ConsoleSection(
        key="inquiries.support_queue",
        title="Another",
        group="Support",
        roles=frozenset({"support"}),
        order=1,
        links=(ConsoleLink("Orders", "admin:marketplace_order_changelist"),),
    )
    with pytest.raises(ValueError, match="registered twice"):
        register_console_section(section)


def test_a_queue_may_narrow_its_sections_roles(monkeypatch: Any) -> None:
    from core import console_navigation

    monkeypatch.setattr(console_navigation, "_sections", {})
    register_console_section(
        ConsoleSection(
            key="test.shared",
            title="Shared",
            group="Desk",
            roles=frozenset({"support", "moderator"}),
            order=1,
            queues=(
                ConsoleQueue("a", "Everyone's", "admin:marketplace_order_changelist", "marketplace.view_order"),
                ConsoleQueue(
                    "b",
                    "Moderators' only",
                    "admin:marketplace_order_changelist",
                    "marketplace.view_order",
                    roles=frozenset({"moderator"}),
                ),
            ),
            counts=lambda now: {"a": 3, "b": 4},
        )
    )
    (support_section,) = console_sections_for(staff(Role.SUPPORT))
    assert [(card.label, card.count) for card in support_section.cards(timezone.now())] == [("Everyone's", 3)]
    (moderator_section,) = console_sections_for(staff(Role.MODERATOR))
    assert [card.label for card in moderator_section.cards(timezone.now())] == ["Everyone's", "Moderators' only"]
    assert console_sections_for(staff(Role.FINANCE)) == []


def test_the_app_list_is_built_only_for_a_page_that_shows_it(monkeypatch: Any) -> None:
    from django.contrib import admin
    from django.contrib.admin import AdminSite

    from core.console import ConsoleSite

    built: list[str] = []
    real = AdminSite.get_app_list

    def counting(site: AdminSite, request: Any, app_label: str | None = None) -> Any:
        built.append(request.path)
        return real(site, request, app_label)

    monkeypatch.setattr(AdminSite, "get_app_list", counting)
    support = staff(Role.SUPPORT)
    client = client_for(support)
    assert isinstance(admin.site, ConsoleSite)

    queue = client.get(reverse("admin:helpdesk_ticket_changelist"))  # no sidebar on the queue
    assert queue.status_code == 200 and 'id="nav-sidebar"' not in queue.content.decode()
    assert built == []

    page = client.get(reverse("admin:helpdesk_article_changelist")).content.decode()  # the sidebar lists the models
    assert built == [reverse("admin:helpdesk_article_changelist")]
    assert 'id="nav-sidebar"' in page and ">Tickets</a>" in page[page.index('id="nav-sidebar"') :]
