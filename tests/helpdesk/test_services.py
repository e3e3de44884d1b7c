from datetime import timedelta
from typing import Any

import pytest
from django.core import mail

from core.exceptions import Forbidden, InvalidInput, StateConflict
from helpdesk.models import ClockTarget, CustomerWait, FollowUp, Interaction, Ticket, TicketClock
from helpdesk.services.tickets import (
    ticket_assign,
    ticket_escalate,
    ticket_follow_up,
    ticket_interaction_add,
    ticket_open,
    ticket_resolve,
)
from notifications.models import Notification


def _open(desk: dict[str, Any], now: Any, **kwargs: Any) -> Ticket:
    fields = {
        "customer": desk["alice"],
        "category": "payment",
        "subcategory": "duplicate_charge",
        "subject": "Charged twice",
        "body": "My card shows two charges for this order.",
        "payment": desk["payment"],
        "now": now,
    } | kwargs
    return ticket_open(**fields)


def test_opening_a_payment_ticket_gives_a_reference_urgent_priority_and_a_24_hour_target(desk, now) -> None:
    ticket = _open(desk, now)

    assert ticket.reference == f"HD-{now.year}-000001"
    assert (ticket.status, ticket.priority, ticket.channel) == ("new", "urgent", "web")
    assert ticket.order == desk["order"]  # from the payment
    assert ticket.first_response_due_at == now + timedelta(hours=24)
    clock = TicketClock.objects.get(ticket=ticket)
    assert (clock.target, clock.due_at, clock.warn_at) == (
        "first_response",
        now + timedelta(hours=24),
        now + timedelta(hours=20),
    )
    entry = Interaction.objects.get(ticket=ticket)
    assert (entry.kind, entry.direction, entry.author, entry.body) == (
        "message",
        "inbound",
        desk["alice"],
        "My card shows two charges for this order.",
    )
    notice = Notification.objects.get(recipient=desk["alice"])
    assert notice.title == f"We received your request {ticket.reference}"
    assert notice.link == f"/support/{ticket.pk}/"


def test_other_questions_get_48_hours_and_normal_priority(desk, now) -> None:
    ticket = _open(
        desk,
        now,
        category="order_status",
        subcategory="",
        payment=None,
        order=desk["order"],
        subject="Where is it?",
        body="Not arrived yet.",
    )
    assert ticket.priority == "normal"
    assert ticket.first_response_due_at == now + timedelta(hours=48)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "nonsense"}, "category"),
        ({"subcategory": "tax"}, "subcategory"),  # an invoice subcategory on a payment ticket
        ({"payment": None}, "payment"),  # a payment ticket names the payment
        ({"subject": "  "}, "subject"),
        ({"body": "x\x00y"}, "body"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(desk, now, changes, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        _open(desk, now, **changes)
    assert refused.value.field == field
    assert not Ticket.objects.exists()
    assert not Notification.objects.exists()


def test_another_customers_payment_is_refused(desk, now) -> None:
    with pytest.raises(InvalidInput) as refused:
        _open(desk, now, payment=desk["bob_payment"])
    assert (refused.value.field, refused.value.code) == ("payment", "not_yours")


def test_first_staff_reply_opens_the_ticket_and_moves_the_clock_to_the_resolution_target(desk, now) -> None:
    ticket = _open(desk, now)
    mail.outbox.clear()
    ticket_interaction_add(
        ticket=ticket, actor=desk["support"], kind="message", body="We are checking.", now=now + timedelta(hours=1)
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.first_response_at) == (
        "open",
        desk["support"],
        now + timedelta(hours=1),
    )
    clock = TicketClock.objects.get(ticket=ticket)
    assert (clock.target, clock.due_at) == ("resolution", now + timedelta(days=3))
    assert Notification.objects.filter(recipient=desk["alice"], kind="ticket_reply").count() == 1


def test_internal_notes_never_notify_the_customer(desk, now) -> None:
    ticket = _open(desk, now)
    Notification.objects.all().delete()
    entry = ticket_interaction_add(
        ticket=ticket, actor=desk["support"], kind="note", body="Check the PSP logs.", now=now
    )
    assert entry.is_internal
    assert not Notification.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == "new"  # a note is no answer


def test_the_customer_may_not_write_notes(desk, now) -> None:
    ticket = _open(desk, now)
    with pytest.raises(Forbidden):
        ticket_interaction_add(ticket=ticket, actor=desk["alice"], kind="note", body="psst", now=now)
    assert Interaction.objects.filter(ticket=ticket).count() == 1


def test_waiting_on_the_customer_pauses_the_clock_and_their_reply_resumes_it(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_interaction_add(
        ticket=ticket, actor=desk["support"], kind="message", body="Which card?", wait_for_customer=True, now=now
    )
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.paused_at == now
    due_before = clock.due_at
    wait = CustomerWait.objects.get(ticket=ticket)
    assert (wait.due_at, wait.reminders_sent) == (now + timedelta(hours=48), 0)

    ticket_interaction_add(
        ticket=ticket, actor=desk["alice"], kind="message", body="The Visa one.", now=now + timedelta(hours=10)
    )

    ticket.refresh_from_db()
    clock.refresh_from_db()
    wait.refresh_from_db()
    assert ticket.status == "open"
    assert clock.paused_at is None
    assert clock.due_at == due_before + timedelta(hours=10)
    assert wait.stopped_at == now + timedelta(hours=10)


def test_escalation_runs_the_departments_own_target_and_tells_the_customer_who_and_when(desk, now) -> None:
    ticket = _open(desk, now)
    Notification.objects.all().delete()
    ticket_escalate(
        ticket=ticket, actor=desk["support"], department="billing", reason="Needs a corrected invoice", now=now
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.department, ticket.escalated_at) == ("escalated", "billing", now)
    clock = TicketClock.objects.get(ticket=ticket)
    assert (clock.target, clock.due_at, clock.escalated_at) == ("department", now + timedelta(hours=48), None)
    customer_notice = Notification.objects.get(recipient=desk["alice"])
    assert customer_notice.title == f"Your request {ticket.reference} is with our Billing team"
    assert (now + timedelta(hours=48)).strftime("%d %b %Y, %H:%M") in customer_notice.body
    assert list(Notification.objects.filter(kind="ticket_assigned").values_list("recipient__username", flat=True)) == [
        "billing-1"
    ]
    # The reason is an internal note; the customer's log shows only the hand-over.
    reason = Interaction.objects.get(ticket=ticket, kind="note")
    assert reason.is_internal and "Needs a corrected invoice" in reason.body


def test_escalating_twice_to_the_same_department_is_a_conflict(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_escalate(ticket=ticket, actor=desk["support"], department="finance", reason="Refund", now=now)
    with pytest.raises(StateConflict):
        ticket_escalate(ticket=ticket, actor=desk["support"], department="finance", reason="Again", now=now)


def test_a_moderator_may_read_but_not_work_tickets(desk, now) -> None:
    ticket = _open(desk, now)
    with pytest.raises(Forbidden):
        ticket_resolve(ticket=ticket, actor=desk["moderator"], resolution="Done", now=now)


def test_resolving_stops_everything_and_a_reply_within_the_window_reopens(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_follow_up(ticket=ticket, actor=desk["support"], due_at=now + timedelta(days=1), note="Check", now=now)
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Refunded the duplicate charge.", now=now)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution, ticket.resolved_by) == (
        "resolved",
        "Refunded the duplicate charge.",
        desk["support"],
    )
    assert TicketClock.objects.get(ticket=ticket).stopped_at == now
    assert FollowUp.objects.get(ticket=ticket).stopped_at == now
    assert Notification.objects.filter(recipient=desk["alice"], kind="ticket_resolved").count() == 1
    with pytest.raises(StateConflict):
        ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Again", now=now)

    ticket_interaction_add(
        ticket=ticket, actor=desk["alice"], kind="message", body="Still two charges.", now=now + timedelta(days=6)
    )

    ticket.refresh_from_db()
    clock = TicketClock.objects.get(ticket=ticket)
    assert (ticket.status, ticket.resolved_at) == ("open", None)
    assert (clock.stopped_at, clock.target, clock.due_at) == (None, ClockTarget.RESOLUTION, now + timedelta(days=9))


def test_a_reply_after_the_reopen_window_is_a_conflict(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Done.", now=now)
    with pytest.raises(StateConflict) as refused:
        ticket_interaction_add(
            ticket=ticket, actor=desk["alice"], kind="message", body="Hm", now=now + timedelta(days=8)
        )
    assert refused.value.code == "reopen_window_passed"
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_a_follow_up_in_the_past_is_refused(desk, now) -> None:
    ticket = _open(desk, now)
    with pytest.raises(InvalidInput) as refused:
        ticket_follow_up(ticket=ticket, actor=desk["support"], due_at=now - timedelta(minutes=1), now=now)
    assert refused.value.field == "due_at"
    assert not FollowUp.objects.exists()


def test_assign_to_me_and_only_to_staff_who_work_tickets(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_assign(ticket=ticket, actor=desk["support"], now=now)
    assert Ticket.objects.get(pk=ticket.pk).assignee == desk["support"]
    with pytest.raises(InvalidInput):
        ticket_assign(ticket=ticket, actor=desk["support"], assignee=desk["bob"], now=now)
