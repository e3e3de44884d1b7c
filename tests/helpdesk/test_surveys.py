"""A resolved ticket schedules its customer's survey (feedback's ``survey_request``) with the
ticket's facts copied; a reopened one withdraws it; resolving again re-arms the same invitation;
a ticket closed without a resolution is never surveyed."""

from datetime import timedelta
from typing import Any

import pytest

from core.exceptions import Forbidden
from feedback.models import SurveyInvitation
from helpdesk.models import Ticket
from helpdesk.services.sweep import helpdesk_sweep
from helpdesk.services.tickets import ticket_close, ticket_interaction_add, ticket_open, ticket_resolve

DELAY = timedelta(minutes=30)


def _open(desk: dict[str, Any], now: Any, **kwargs: Any) -> Ticket:
    fields = {
        "customer": desk["alice"],
        "category": "payment",
        "subcategory": "duplicate_charge",
        "subject": "Charged twice",
        "body": "My card shows two charges for this order.",
        "payment": desk["payment"],
        "channel": "chat",
        "now": now,
    } | kwargs
    return ticket_open(**fields)


@pytest.fixture(autouse=True)
def _delay(settings: Any) -> None:
    settings.FEEDBACK_SURVEY_DELAY = DELAY


def test_resolving_a_ticket_schedules_one_survey_with_the_tickets_facts(desk, now) -> None:
    ticket = _open(desk, now)
    resolved_at = now + timedelta(hours=5)

    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Refunded the duplicate charge.", now=resolved_at)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.about_type, invitation.about_id, invitation.status) == ("ticket", ticket.pk, "scheduled")
    assert invitation.about_label == f"Help request {ticket.reference}: Charged twice"
    assert invitation.about_url == f"/support/{ticket.pk}/"
    assert (invitation.customer, invitation.agent, invitation.seller, invitation.order) == (
        desk["alice"],
        desk["support"],
        desk["seller"],
        desk["order"],
    )
    assert (invitation.channel, invitation.category, invitation.topic) == ("chat", "payment_billing", "payment")
    assert (invitation.resolved_at, invitation.resolution_seconds) == (resolved_at, 5 * 3600)
    assert (invitation.send_after, invitation.created_at) == (resolved_at + DELAY, resolved_at)


@pytest.mark.parametrize(
    ("category", "record", "expected"),
    [
        ("order_status", "order", "shipping_delivery"),
        ("invoice", "invoice", "payment_billing"),
        ("receipt", "payment", "payment_billing"),
        ("payment", "payment", "payment_billing"),
        ("other", None, "customer_service"),
    ],
)
def test_each_ticket_category_maps_to_a_feedback_category(desk, now, category, record, expected) -> None:
    records = {"payment": None} | ({record: desk[record]} if record else {})
    ticket = _open(desk, now, category=category, subcategory="", **records)

    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Done.", now=now)

    invitation = SurveyInvitation.objects.get(about_id=ticket.pk)
    assert (invitation.category, invitation.topic) == (expected, category)
    # A ticket without an order has no seller to rate.
    assert invitation.seller_id == (None if record is None else desk["seller"].pk)


def test_a_reopened_ticket_withdraws_its_survey_and_resolving_again_re_arms_it(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Refunded.", now=now)
    token = SurveyInvitation.objects.get().token

    reopened_at = now + timedelta(minutes=10)
    ticket_interaction_add(ticket=ticket, actor=desk["alice"], kind="message", body="Still two.", now=reopened_at)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.status, invitation.withdrawn_at) == ("withdrawn", reopened_at)

    resolved_again = now + timedelta(hours=2)
    ticket_resolve(ticket=ticket, actor=desk["billing"], resolution="Second refund sent.", now=resolved_again)

    invitation = SurveyInvitation.objects.get()
    assert (invitation.status, invitation.withdrawn_at, invitation.token) == ("scheduled", None, token)
    assert (invitation.agent, invitation.resolved_at, invitation.send_after) == (
        desk["billing"],
        resolved_again,
        resolved_again + DELAY,
    )


def test_a_customer_reply_to_an_unresolved_ticket_leaves_no_survey(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_interaction_add(ticket=ticket, actor=desk["support"], kind="message", body="Which card?", now=now)
    ticket_interaction_add(ticket=ticket, actor=desk["alice"], kind="message", body="Visa.", now=now)

    assert not SurveyInvitation.objects.exists()


def test_a_resolution_refused_schedules_no_survey(desk, now) -> None:
    ticket = _open(desk, now)

    with pytest.raises(Forbidden):
        ticket_resolve(ticket=ticket, actor=desk["moderator"], resolution="Done.", now=now)

    assert not SurveyInvitation.objects.exists()


def test_closing_a_resolved_ticket_keeps_its_survey(desk, now) -> None:
    ticket = _open(desk, now)
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Refunded.", now=now)

    ticket_close(ticket=ticket, actor=desk["support"], now=now + timedelta(days=8))

    assert list(SurveyInvitation.objects.values_list("about_id", "status")) == [(ticket.pk, "scheduled")]


def test_a_ticket_closed_without_a_resolution_is_not_surveyed(desk, now) -> None:
    by_staff = _open(desk, now)
    ticket_interaction_add(
        ticket=by_staff, actor=desk["support"], kind="message", body="Which card?", wait_for_customer=True, now=now
    )
    ticket_close(ticket=by_staff, actor=desk["support"], note="No answer.", now=now + timedelta(days=1))

    assert Ticket.objects.get(pk=by_staff.pk).status == "closed"
    assert not SurveyInvitation.objects.exists()


def test_the_sweep_closing_silent_tickets_in_bulk_surveys_none(desk, now, settings) -> None:
    settings.HELPDESK_CUSTOMER_REMINDERS = 0
    tickets = [_open(desk, now, subject=f"Charged twice ({index})") for index in range(3)]
    for ticket in tickets:
        ticket_interaction_add(
            ticket=ticket, actor=desk["support"], kind="message", body="Which card?", wait_for_customer=True, now=now
        )

    closed = helpdesk_sweep(now=now + settings.HELPDESK_CUSTOMER_REMINDER_INTERVAL)

    assert closed["customers_reminded_or_closed"] == 3
    assert set(Ticket.objects.values_list("status", flat=True)) == {"closed"}
    assert not SurveyInvitation.objects.exists()


def test_an_inactive_customer_is_not_surveyed(desk, now) -> None:
    ticket = _open(desk, now)
    desk["alice"].is_active = False
    desk["alice"].save(update_fields=["is_active"])

    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Refunded.", now=now)

    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    assert not SurveyInvitation.objects.exists()
