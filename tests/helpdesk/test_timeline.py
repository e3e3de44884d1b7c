"""A customer's timeline in the console (``core.timeline``): every app's entries about one
customer merged newest first, paged with ``before``, in statements constant in the data size; the
recurring problems above it; staff who may view users only."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.timeline import customer_timeline, timeline_providers
from helpdesk.models import Interaction, Ticket
from helpdesk.selectors.recurring import ticket_recurring_problems
from tests.accounts.factories import UserFactory
from tests.helpdesk.factories import TicketFactory
from tests.helpdesk.test_admin import logged_in
from tests.inquiries.factories import ConversationFactory
from tests.marketplace.factories import OrderFactory
from tests.marketplace.factories_billing import RefundFactory
from tests.reviews.factories import ReviewCaseFactory, ReviewFactory


@pytest.fixture
def history(desk: dict[str, Any]) -> dict[str, Any]:
    """Alice's records a minute apart (newest last), plus Bob's that must never show."""
    t0 = timezone.now().replace(microsecond=0) - timedelta(days=1)
    alice, seller = desk["alice"], desk["seller"]
    type(desk["order"]).objects.filter(pk=desk["order"].pk).update(placed_at=t0)
    type(desk["payment"]).objects.filter(pk=desk["payment"].pk).update(created_at=t0 + timedelta(minutes=1))
    refund = RefundFactory(payment=desk["payment"], amount="5.00", reason="Damaged box")
    type(refund).objects.filter(pk=refund.pk).update(created_at=t0 + timedelta(minutes=2))
    conversation = ConversationFactory(buyer=alice, seller=seller, subject="Gift wrap?")
    type(conversation).objects.filter(pk=conversation.pk).update(created_at=t0 + timedelta(minutes=3))
    ReviewFactory(buyer=alice, title="Lovely", rating=4, created_at=t0 + timedelta(minutes=4))
    ReviewCaseFactory(buyer=alice, created_at=t0 + timedelta(minutes=5))
    ticket = TicketFactory(
        customer=alice,
        order=desk["order"],
        category="order_status",
        subject="Where is it?",
        reference="HD-T-1",
        created_at=t0 + timedelta(minutes=6),
    )
    Interaction.objects.create(
        ticket=ticket,
        customer=alice,
        kind="note",
        direction="internal",
        channel="web",
        author=desk["support"],
        body="Carrier called.",
        is_internal=True,
        created_at=t0 + timedelta(minutes=7),
    )
    # Bob's, at the same moments: never on Alice's timeline.
    TicketFactory(customer=desk["bob"], subject="Bob's", created_at=t0 + timedelta(minutes=6))
    ReviewFactory(buyer=desk["bob"], created_at=t0 + timedelta(minutes=4))
    return {"t0": t0, "ticket": ticket}


def test_the_timeline_merges_every_apps_entries_about_the_customer_newest_first(desk, history) -> None:
    page = customer_timeline(desk["alice"].pk, limit=50)

    assert [entry.kind for entry in page.entries] == [
        "ticket_note",
        "ticket",
        "review_case",
        "review",
        "conversation",
        "refund",
        "payment",
        "order",
    ]
    assert [entry.app for entry in page.entries] == [
        "helpdesk",
        "helpdesk",
        "reviews",
        "reviews",
        "inquiries",
        "marketplace",
        "marketplace",
        "marketplace",
    ]
    assert page.entries[1].title == "Ticket HD-T-1 opened: Where is it?"
    assert page.entries[1].url == reverse("admin:helpdesk_ticket_change", args=[history["ticket"].pk])
    assert page.entries[0].status == "Internal"
    assert page.entries[-1].title == "Order SP-2026-000123 at Northwind"
    assert page.entries[-1].at == history["t0"]
    assert page.older_before is None


def test_the_timeline_pages_with_before_without_losing_or_repeating_an_entry(desk, history) -> None:
    everything = customer_timeline(desk["alice"].pk, limit=50).entries
    seen = []
    before = None
    for _ in range(10):
        page = customer_timeline(desk["alice"].pk, limit=3, before=before)
        seen.extend(page.entries)
        if page.older_before is None:
            break
        before = page.older_before
    assert seen == everything
    assert len(seen) == 8


def _grow(desk: dict[str, Any], count: int) -> None:
    """``count`` more log entries, orders and conversations for Alice, all older than the rest."""
    alice = desk["alice"]
    old = timezone.now() - timedelta(days=30)
    ticket = TicketFactory(customer=alice, created_at=old)
    Interaction.objects.bulk_create(
        Interaction(
            ticket=ticket,
            customer=alice,
            kind="message",
            direction="inbound",
            channel="web",
            author=alice,
            body=f"Entry {n}",
            created_at=old + timedelta(seconds=n),
        )
        for n in range(count)
    )
    for n in range(count // 100 + 1):
        OrderFactory(buyer=alice, seller=desk["seller"], placed_at=old - timedelta(minutes=n))
        ConversationFactory(buyer=alice, seller=desk["seller"])


def _statements(run: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries.captured_queries)


def test_the_timeline_costs_the_same_statements_for_10_or_1000_entries(desk, history, django_assert_num_queries):
    _grow(desk, 10)
    few = _statements(lambda: customer_timeline(desk["alice"].pk, limit=20))
    # marketplace 3 (orders, payments, refunds), inquiries 1, reviews 2, helpdesk 2; at most 3 per app.
    assert 8 <= few <= 3 * len(timeline_providers())
    _grow(desk, 1000)

    with django_assert_num_queries(few):
        page = customer_timeline(desk["alice"].pk, limit=20)
    assert len(page.entries) == 20
    assert page.older_before is not None


def test_the_timeline_page_shows_entries_and_recurring_problems_to_staff(desk, history, django_assert_num_queries):
    TicketFactory(customer=desk["alice"], order=desk["order"], category="order_status", reference="HD-T-2")
    client = logged_in(desk["support"])
    url = reverse("admin:accounts_user_timeline", args=[desk["alice"].pk])
    client.get(url)  # warm the per-process caches

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ticket HD-T-1 opened: Where is it?" in html
    assert "Carrier called." in html
    assert "Bob&#x27;s" not in html and "Bob's" not in html
    assert "Recurring problems" in html
    figure = response.context["sections"][0].figures
    assert [(item.count, item.label) for item in figure] == [
        (2, "Order status tickets about order SP-2026-000123"),
        (2, "Order status tickets about store Northwind"),
        (2, f"Order status tickets about product {desk['order'].items.get().product_name}"),
    ]
    assert "HD-T-2 (new)" in html and "HD-T-1 (new)" in html
    counted = client.get(figure[0].url)  # the queue, filtered to this customer and category
    assert sorted(ticket.reference for ticket in counted.context["cl"].result_list) == ["HD-T-1", "HD-T-2"]
    few = _statements(lambda: client.get(url))
    _grow(desk, 1000)
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


def test_the_timeline_page_pages_older_entries_and_refuses_a_bad_before(desk, history) -> None:
    client = logged_in(desk["support"])
    url = reverse("admin:accounts_user_timeline", args=[desk["alice"].pk])
    _grow(desk, 60)

    first = client.get(url)
    older = client.get(first.context["older_url"])

    assert len(first.context["entries"]) == 50
    assert older.status_code == 200
    assert older.context["entries"][0].at < first.context["entries"][-1].at
    assert client.get(url + "?before=yesterday").status_code == 400
    assert client.get(url + "?before=2026-12-07T09:00:00").status_code == 400


def test_only_staff_who_may_view_users_reach_a_timeline(desk, history) -> None:
    url = reverse("admin:accounts_user_timeline", args=[desk["alice"].pk])
    staff_without_roles = UserFactory(username="staff-nobody", is_staff=True)

    assert logged_in(desk["alice"]).get(url).status_code == 302  # to the console's login
    assert logged_in(desk["bob"]).get(url).status_code == 302
    assert logged_in(staff_without_roles).get(url).status_code == 403
    assert logged_in(desk["moderator"]).get(url).status_code == 200
    assert logged_in(desk["support"]).get(reverse("admin:accounts_user_timeline", args=[999999])).status_code == 404


def test_the_ticket_page_links_the_customer_to_their_timeline(desk, history) -> None:
    response = logged_in(desk["support"]).get(reverse("admin:helpdesk_ticket_change", args=[history["ticket"].pk]))

    assert reverse("admin:accounts_user_timeline", args=[desk["alice"].pk]).encode() in response.content


def test_recurring_problems_count_the_same_category_for_the_same_order_store_or_product(desk) -> None:
    other_order = OrderFactory(buyer=desk["alice"], seller=desk["seller"])
    for order in (desk["order"], desk["order"], other_order):
        TicketFactory(customer=desk["alice"], order=order, category="order_status")
    TicketFactory(customer=desk["alice"], order=desk["order"], category="other")
    TicketFactory(customer=desk["bob"], order=desk["bob_order"], category="order_status")

    mine = ticket_recurring_problems(customer_id=desk["alice"].pk)
    everyone = ticket_recurring_problems()

    # The desk order's product twice; the other order's product once (its own factory product).
    assert [(p.dimension, p.category, p.count) for p in mine] == [
        ("order", "order_status", 2),
        ("seller", "order_status", 3),
        ("product", "order_status", 2),
    ]
    assert [len(p.tickets) for p in mine] == [2, 3, 2]
    assert [(p.dimension, p.count) for p in everyone] == [("order", 2), ("seller", 4), ("product", 2)]
    assert Ticket.objects.count() == 5
