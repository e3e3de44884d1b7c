"""The help desk sweep: warn before and escalate at a ticket's target, each once; follow-ups
notify their owner once when due; a ticket waiting on the customer reminds them and closes after
the last reminder; statements per batch do not grow with the rows due; on PostgreSQL four sweeps
at once do each ticket once."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sweeps import get_sweep
from helpdesk.models import CustomerWait, Interaction, Ticket, TicketClock
from helpdesk.services.sweep import helpdesk_escalate_breached, helpdesk_sweep
from helpdesk.services.tickets import ticket_follow_up, ticket_interaction_add, ticket_open
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory
from tests.helpdesk.factories import TicketFactory
from tests.utils import requires_postgres, run_at_once

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
# probe, savepoint, claim, assignees' notices, staff, first references, staff digests, release
STATEMENTS = 8
QUIET = {"breached": 0, "warned": 0, "follow_ups_due": 0, "customers_reminded_or_closed": 0}


def _payment_ticket(desk: dict[str, Any]) -> Ticket:
    return ticket_open(
        customer=desk["alice"],
        category="payment",
        subcategory="payment_failed",
        subject="Payment failed",
        body="It says declined.",
        payment=desk["payment"],
        now=T0,
    )


def test_the_sweep_is_registered() -> None:
    assert get_sweep("helpdesk_ticket_clock").schedule == timedelta(minutes=1)


def test_a_ticket_is_warned_once_before_and_escalated_once_at_its_target(desk) -> None:
    ticket = _payment_ticket(desk)
    assert helpdesk_sweep(now=T0 + 19 * HOUR) == QUIET
    assert helpdesk_sweep(now=T0 + 20 * HOUR) == QUIET | {"warned": 1}
    assert helpdesk_sweep(now=T0 + 21 * HOUR) == QUIET
    assert helpdesk_sweep(now=T0 + 24 * HOUR) == QUIET | {"breached": 1}
    assert helpdesk_sweep(now=T0 + 30 * HOUR) == QUIET

    clock = TicketClock.objects.get(ticket=ticket)
    assert (clock.warned_at, clock.escalated_at) == (T0 + 20 * HOUR, T0 + 24 * HOUR)
    # The clock is all that is written per ticket: the log gets no row (its breach is the clock's).
    assert not Interaction.objects.filter(ticket=ticket, kind="action").exists()
    # Support's digests: one warning and one breach.
    support = Notification.objects.filter(recipient=desk["support"])
    assert sorted(support.values_list("kind", "title")) == [
        ("ticket_breached", "1 ticket past their target"),
        ("ticket_warning", "1 ticket near their target"),
    ]


def test_an_answered_or_paused_ticket_is_not_breached(desk) -> None:
    answered = _payment_ticket(desk)
    ticket_interaction_add(ticket=answered, actor=desk["support"], kind="message", body="On it.", now=T0 + HOUR)
    waiting = _payment_ticket(desk)
    ticket_interaction_add(
        ticket=waiting, actor=desk["support"], kind="message", body="Which card?", wait_for_customer=True, now=T0
    )
    assert helpdesk_escalate_breached(now=T0 + 30 * HOUR) == 0


def test_the_assignee_is_told_when_their_ticket_breaches(desk) -> None:
    ticket = _payment_ticket(desk)
    ticket_interaction_add(ticket=ticket, actor=desk["support"], kind="message", body="On it.", now=T0 + HOUR)
    helpdesk_sweep(now=T0 + 4 * 24 * HOUR)  # past the 3-day resolution target
    notice = Notification.objects.get(recipient=desk["support"], kind="ticket_breached", title__startswith="Target")
    assert notice.title == f"Target passed: {ticket.reference}"


def test_a_follow_up_notifies_its_owner_once_when_due(desk) -> None:
    ticket = _payment_ticket(desk)
    ticket_follow_up(ticket=ticket, actor=desk["support"], due_at=T0 + 2 * HOUR, note="Call the PSP", now=T0)
    assert helpdesk_sweep(now=T0 + HOUR)["follow_ups_due"] == 0
    assert helpdesk_sweep(now=T0 + 2 * HOUR)["follow_ups_due"] == 1
    assert helpdesk_sweep(now=T0 + 3 * HOUR)["follow_ups_due"] == 0
    notice = Notification.objects.get(kind="ticket_follow_up")
    assert (notice.recipient, notice.title, notice.body) == (
        desk["support"],
        f"Follow-up due: {ticket.reference}",
        "Call the PSP",
    )


def test_a_customer_who_does_not_answer_is_reminded_then_the_ticket_closes(desk, settings) -> None:
    settings.HELPDESK_CUSTOMER_REMINDERS = 2
    ticket = _payment_ticket(desk)
    ticket_interaction_add(
        ticket=ticket, actor=desk["support"], kind="message", body="Which card?", wait_for_customer=True, now=T0
    )
    day2 = T0 + 48 * HOUR
    assert helpdesk_sweep(now=day2 - HOUR)["customers_reminded_or_closed"] == 0
    assert helpdesk_sweep(now=day2)["customers_reminded_or_closed"] == 1
    assert helpdesk_sweep(now=day2)["customers_reminded_or_closed"] == 0  # once per interval
    assert helpdesk_sweep(now=day2 + 48 * HOUR)["customers_reminded_or_closed"] == 1
    assert CustomerWait.objects.get(ticket=ticket).reminders_sent == 2
    assert Ticket.objects.get(pk=ticket.pk).status == "pending_customer"
    assert helpdesk_sweep(now=day2 + 96 * HOUR)["customers_reminded_or_closed"] == 1

    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == ("closed", day2 + 96 * HOUR)
    assert TicketClock.objects.get(ticket=ticket).stopped_at == day2 + 96 * HOUR
    kinds = list(
        Notification.objects.filter(recipient=desk["alice"], kind__in=["ticket_reminder", "ticket_closed"])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["ticket_reminder", "ticket_reminder", "ticket_closed"]
    assert helpdesk_sweep(now=day2 + 200 * HOUR) == QUIET


def test_a_customer_who_answers_is_not_reminded(desk) -> None:
    ticket = _payment_ticket(desk)
    ticket_interaction_add(
        ticket=ticket, actor=desk["support"], kind="message", body="Which card?", wait_for_customer=True, now=T0
    )
    ticket_interaction_add(ticket=ticket, actor=desk["alice"], kind="message", body="Visa", now=T0 + HOUR)
    assert helpdesk_sweep(now=T0 + 100 * HOUR)["customers_reminded_or_closed"] == 0


@pytest.mark.parametrize("due", [10, 200])
def test_statements_per_batch_do_not_grow_with_the_tickets_due(desk, due) -> None:
    buyers = BuyerFactory.create_batch(5)
    for index in range(due):
        TicketFactory(customer=buyers[index % 5], created_at=T0 - 50 * HOUR)
    with CaptureQueriesContext(connection) as queries:
        assert helpdesk_escalate_breached(now=T0) == due
    assert len(queries) == STATEMENTS, [query["sql"][:80] for query in queries]


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_sweeps_at_once_escalate_each_ticket_once(settings) -> None:
    from accounts.models import Role
    from tests.accounts.factories import UserFactory

    settings.HELPDESK_SWEEP_BATCH_SIZE = 25
    support = UserFactory(username="support-crowd", role=Role.SUPPORT)
    buyers = BuyerFactory.create_batch(10)
    for index in range(300):
        TicketFactory(customer=buyers[index % 10], created_at=T0 - 50 * HOUR)

    results = run_at_once(4, lambda index: helpdesk_escalate_breached(now=T0))

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(results) == 300  # type: ignore[arg-type]
    assert TicketClock.objects.filter(escalated_at=T0).count() == 300
    titles = Notification.objects.filter(recipient=support, kind="ticket_breached").values_list("title", flat=True)
    assert sum(int(title.split(" ")[0]) for title in titles) == 300
    assert helpdesk_escalate_breached(now=T0) == 0


@requires_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_customers_replying_while_the_sweep_closes_their_tickets_never_deadlock(settings) -> None:
    """Each ticket ends either closed by the sweep (the reply then gets a 409) or reopened by the
    reply (the sweep skipped it): never both, never a deadlock."""
    from accounts.models import Role
    from core.exceptions import StateConflict
    from tests.accounts.factories import UserFactory

    settings.HELPDESK_CUSTOMER_REMINDERS = 0  # the first due wait closes the ticket
    settings.HELPDESK_SWEEP_BATCH_SIZE = 5
    support = UserFactory(username="support-race", role=Role.SUPPORT)
    tickets = []
    for _ in range(40):
        ticket = TicketFactory(customer=BuyerFactory(), created_at=T0 - HOUR)
        ticket_interaction_add(
            ticket=ticket, actor=support, kind="message", body="Which card?", wait_for_customer=True, now=T0 - HOUR
        )
        tickets.append(ticket)
    later = T0 + 49 * HOUR

    def work(index: int) -> object:
        if index == 0:
            return helpdesk_sweep(now=later)
        refused = 0
        for ticket in tickets[index - 1 :: 3]:
            try:
                ticket_interaction_add(ticket=ticket, actor=ticket.customer, kind="message", body="Visa", now=later)
            except StateConflict:
                refused += 1
        return refused

    results = run_at_once(4, work)

    assert not [result for result in results if isinstance(result, Exception)], results
    statuses = dict(Ticket.objects.values_list("id", "status"))
    closed = [pk for pk, status in statuses.items() if status == "closed"]
    reopened = [pk for pk, status in statuses.items() if status == "open"]
    assert len(closed) + len(reopened) == 40
    assert sum(results[1:]) == len(closed)  # type: ignore[arg-type]
    replied = set(Interaction.objects.filter(direction="inbound", body="Visa").values_list("ticket_id", flat=True))
    assert replied == set(reopened)
