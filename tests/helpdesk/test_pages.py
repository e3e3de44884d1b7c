"""The buyer's support pages: list, open from a payment, follow, reply, see the resolution; another
buyer's request is a 404; internal notes never appear."""

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from helpdesk.models import Interaction, Ticket
from helpdesk.services.tickets import ticket_interaction_add, ticket_open, ticket_resolve


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ticket(desk: dict[str, Any]) -> Ticket:
    return ticket_open(
        customer=desk["alice"],
        category="payment",
        subcategory="duplicate_charge",
        subject="Charged twice",
        body="Two charges.",
        payment=desk["payment"],
        now=timezone.now(),
    )


def test_get_help_from_a_payment_opens_a_ticket_tied_to_it(desk) -> None:
    client = logged_in(desk["alice"])
    page = client.get(reverse("support-new") + f"?payment={desk['payment'].pk}")
    assert page.status_code == 200
    assert page.context["form"].initial == {"payment": desk["payment"].pk, "category": "payment"}
    # Bob's payment is not offered, even when asked for.
    assert client.get(reverse("support-new") + f"?payment={desk['bob_payment'].pk}").context["form"].initial == {}

    response = client.post(
        reverse("support-new"),
        {
            "category": "payment",
            "subcategory": "duplicate_charge",
            "payment": desk["payment"].pk,
            "subject": "Charged twice",
            "body": "I see two charges.",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.headers["Location"] == reverse("support-ticket", args=[ticket.pk])
    assert (ticket.customer, ticket.payment, ticket.order, ticket.priority) == (
        desk["alice"],
        desk["payment"],
        desk["order"],
        "urgent",
    )


def test_a_ticket_without_its_record_is_refused_on_the_field(desk) -> None:
    response = logged_in(desk["alice"]).post(
        reverse("support-new"), {"category": "invoice", "subject": "Wrong", "body": "Tax is wrong"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["invoice"] == ["Say which invoice this is about."]
    assert not Ticket.objects.exists()


def test_the_buyer_follows_replies_and_sees_the_resolution_but_never_a_note(desk) -> None:
    ticket = _ticket(desk)
    ticket_interaction_add(
        ticket=ticket, actor=desk["support"], kind="note", body="PSP double capture", now=timezone.now()
    )
    ticket_interaction_add(
        ticket=ticket, actor=desk["support"], kind="message", body="We are refunding one.", now=timezone.now()
    )
    client = logged_in(desk["alice"])
    listing = client.get(reverse("support"))
    assert listing.status_code == 200 and "Charged twice" in listing.content.decode()

    page = client.get(reverse("support-ticket", args=[ticket.pk])).content.decode()
    assert "We are refunding one." in page
    assert "PSP double capture" not in page

    reply = client.post(reverse("support-ticket", args=[ticket.pk]), {"body": "Thanks!"})
    assert reply.status_code == 302
    assert Interaction.objects.filter(ticket=ticket, direction="inbound").count() == 2

    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Refunded 47.98 USD.", now=timezone.now())
    page = client.get(reverse("support-ticket", args=[ticket.pk])).content.decode()
    assert "Refunded 47.98 USD." in page and "Reply and reopen" in page


def test_another_buyers_ticket_is_404_and_staff_use_the_console(desk) -> None:
    ticket = _ticket(desk)
    assert logged_in(desk["bob"]).get(reverse("support-ticket", args=[ticket.pk])).status_code == 404
    assert logged_in(desk["bob"]).post(reverse("support-ticket", args=[ticket.pk]), {"body": "x"}).status_code == 404
    assert logged_in(desk["support"]).get(reverse("support-ticket", args=[ticket.pk])).status_code == 404
    assert Interaction.objects.filter(ticket=ticket).count() == 1
