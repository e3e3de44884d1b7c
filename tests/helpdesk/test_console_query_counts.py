"""The console's ticket queue and ticket page cost the same number of SQL statements whatever
the number of tickets on the queue or of entries in a ticket's log (no query per row)."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import FollowUp, Interaction, Ticket
from helpdesk.services.tickets import ticket_assign, ticket_open
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.helpdesk.factories import TicketFactory
from tests.helpdesk.test_admin import logged_in


def _statements(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def _queue(count: int) -> None:
    """``count`` active tickets, each from its own customer, half of them assigned to their own agent."""
    for n in range(count):
        ticket = TicketFactory(customer=BuyerFactory(), category="payment")
        if n % 2:
            Ticket.objects.filter(pk=ticket.pk).update(assignee=UserFactory(role="support"), status="open")


@pytest.mark.parametrize("query", ["", "?category__exact=payment", "?queue=unassigned"])
def test_the_ticket_queue_costs_the_same_statements_for_3_or_30_tickets(
    desk: dict[str, Any], django_assert_num_queries: Any, query: str
) -> None:
    client = logged_in(desk["support"])
    url = reverse("admin:helpdesk_ticket_changelist") + query
    _queue(3)
    client.get(url)  # warm the per-process caches (content types, the session)
    few = _statements(client, url)
    _queue(27)

    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.context["cl"].result_count >= 15  # the 30 tickets are there, not an empty page
    assert response.content.count(b"HD-TEST-") >= 15


def _log(ticket: Ticket, count: int) -> None:
    """``count`` log entries on ``ticket`` by different people (customer messages, staff notes),
    and one follow-up for every five entries."""
    now = timezone.now()
    for n in range(count):
        staff = n % 2
        Interaction.objects.create(
            ticket=ticket,
            customer=ticket.customer,
            kind="note" if staff else "message",
            direction="internal" if staff else "inbound",
            channel="web",
            author=UserFactory(role="support") if staff else ticket.customer,
            body=f"Entry {n}",
            is_internal=bool(staff),
            created_at=now + timedelta(seconds=n),
        )
        if n % 5 == 0:
            FollowUp.objects.create(
                ticket=ticket,
                owner=UserFactory(role="support"),
                due_at=now + timedelta(days=1),
                note=f"Follow {n}",
                created_at=now,
            )


def test_the_ticket_page_costs_the_same_statements_for_5_or_50_log_entries(
    desk: dict[str, Any], django_assert_num_queries: Any
) -> None:
    ticket = ticket_open(
        customer=desk["alice"],
        category="payment",
        subcategory="duplicate_charge",
        subject="Charged twice",
        body="Entry opening",
        order=desk["order"],
        payment=desk["payment"],
        now=timezone.now(),
    )
    ticket_assign(ticket=ticket, actor=desk["support"], now=timezone.now())
    Interaction.objects.filter(ticket=ticket).delete()
    client = logged_in(desk["support"])
    url = reverse("admin:helpdesk_ticket_change", args=[ticket.pk])
    _log(ticket, 5)
    client.get(url)
    few = _statements(client, url)
    _log(ticket, 45)

    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.content.count(b"Entry ") >= 50  # all 50 entries are on the page
    assert b"Follow 0" in response.content
