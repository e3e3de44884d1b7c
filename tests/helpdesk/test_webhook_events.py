"""The help desk's webhook events, each written in the transaction of the change:

- ``ticket.opened`` when a ticket is opened (by the customer, or logged by staff for them);
- ``ticket.escalated`` when staff hand it to a department (again to another department: again).
  The breach sweep writes none: it marks the running target passed (``breaching``), the ticket's
  status does not change;
- ``ticket.resolved`` when it is resolved (again after a reopening: again);

and the ticket rendered for an event as the API shows it to its customer: never an internal note."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from core.exceptions import StateConflict
from helpdesk.services.sweep import helpdesk_escalate_breached
from helpdesk.services.tickets import ticket_escalate, ticket_interaction_add, ticket_open, ticket_resolve
from helpdesk.webhook_resources import RESOURCES, tickets_render
from webhooks.models import Event
from webhooks.resources import render_resources


class _Boom(Exception):
    pass


def _events() -> list[tuple[str, int]]:
    return list(Event.objects.order_by("id").values_list("type", "resource_id"))


def _open(desk: dict[str, Any], now: Any, **kwargs: Any) -> Any:
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


def test_opening_escalating_and_resolving_write_one_event_each(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_escalate(ticket=ticket, actor=desk["support"], department="billing", reason="Card issuer", now=now)
    ticket_escalate(ticket=ticket, actor=desk["support"], department="finance", reason="Refund", now=now)
    ticket_resolve(ticket=ticket, actor=desk["billing"], resolution="Refunded the duplicate.", now=now)

    assert _events() == [
        ("ticket.opened", ticket.pk),
        ("ticket.escalated", ticket.pk),
        ("ticket.escalated", ticket.pk),
        ("ticket.resolved", ticket.pk),
    ]
    assert set(Event.objects.values_list("resource_type", "created_at")) == {("ticket", now)}


def test_refused_moves_write_no_event(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_escalate(ticket=ticket, actor=desk["support"], department="billing", reason="Card issuer", now=now)
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Done", now=now)
    Event.objects.all().delete()

    with pytest.raises(StateConflict):
        ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Again", now=now)
    with pytest.raises(StateConflict):
        ticket_escalate(ticket=ticket, actor=desk["support"], department="finance", reason="x", now=now)

    assert _events() == []


def test_changes_that_roll_back_leave_no_event(desk, now) -> None:
    ticket = _open(desk, now)
    Event.objects.all().delete()

    for change in (
        lambda: _open(desk, now, subject="Another"),
        lambda: ticket_escalate(ticket=ticket, actor=desk["support"], department="billing", reason="x", now=now),
        lambda: ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Done", now=now),
    ):
        with pytest.raises(_Boom), transaction.atomic():
            change()
            raise _Boom

    assert _events() == []


def test_the_breach_sweep_marks_the_target_passed_without_an_event(desk, now) -> None:
    ticket = _open(desk, now)
    Event.objects.all().delete()

    assert helpdesk_escalate_breached(now=now + timedelta(days=3)) == 1

    assert _events() == []
    assert render_resources("ticket", [ticket.pk])[ticket.pk]["breached_at"] is not None


# --- rendering ----------------------------------------------------------------------------------


def test_a_ticket_renders_as_its_customer_reads_it_without_internal_notes(desk, now, client_for) -> None:
    ticket = _open(desk, now)
    ticket_interaction_add(ticket=ticket, actor=desk["support"], kind="note", body="Customer is VIP", now=now)
    ticket_interaction_add(ticket=ticket, actor=desk["support"], kind="message", body="Looking into it", now=now)
    ticket_escalate(ticket=ticket, actor=desk["support"], department="billing", reason="Issuer check", now=now)

    api = client_for(desk["alice"]).get(f"/api/v1/tickets/{ticket.pk}/")
    rendered = render_resources("ticket", [ticket.pk])[ticket.pk]

    assert api.status_code == 200
    assert rendered == api.json()
    bodies = [entry["body"] for entry in rendered["interactions"]]
    assert "Looking into it" in bodies
    assert not [body for body in bodies if "VIP" in body or "Issuer check" in body]
    assert all(not entry["is_internal"] for entry in rendered["interactions"])
    assert set(RESOURCES) == {"ticket"}


def test_rendering_costs_the_same_statements_for_2_and_20(desk, now, django_assert_num_queries) -> None:
    ids = [_open(desk, now, subject=f"Question {index}").pk for index in range(20)]

    # the tickets with their clock, assignee and customer; their log with its authors
    with django_assert_num_queries(2):
        assert len(tickets_render(ids[:2])) == 2
    with django_assert_num_queries(2):
        assert len(tickets_render(ids)) == 20
