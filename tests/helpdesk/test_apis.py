from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.models import Ticket
from helpdesk.services.tickets import ticket_interaction_add, ticket_open, ticket_resolve
from tests.accounts.factories import BuyerFactory
from tests.helpdesk.factories import MacroFactory, TicketFactory

URL = "/api/v1/tickets/"


def _ticket(desk: dict[str, Any], **kwargs: Any) -> Ticket:
    fields = {
        "customer": desk["alice"],
        "category": "invoice",
        "subcategory": "tax",
        "subject": "Tax is wrong",
        "body": "The VAT line is doubled.",
        "invoice": desk["invoice"],
        "now": timezone.now(),
    } | kwargs
    return ticket_open(**fields)


def test_a_buyer_opens_a_ticket_about_their_payment(desk, client_for) -> None:
    response = client_for(desk["alice"]).post(
        URL,
        {
            "category": "payment",
            "subcategory": "duplicate_charge",
            "subject": "Charged twice",
            "body": "Two charges on my card.",
            "payment": desk["payment"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("HD-")
    assert (body["status"], body["priority"], body["category"], body["order"]) == (
        "new",
        "urgent",
        "payment",
        desk["order"].pk,
    )
    assert body["first_response_due_at"] is not None
    assert [entry["body"] for entry in body["interactions"]] == ["Two charges on my card."]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "bogus"}, "category"),
        ({"category": "payment"}, "payment"),
        ({"category": "payment", "payment": "x"}, "payment"),
        ({"category": "payment", "payment": 10**30}, "payment"),
        ({"category": "invoice", "invoice": 999999}, "invoice"),
        ({"category": "receipt", "subcategory": "tax", "payment": None}, "subcategory"),
        ({"category": "other", "channel": "fax"}, "channel"),
        ({"category": "other", "body": ""}, "body"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(desk, client_for, payload, field) -> None:
    base = {"subject": "Help", "body": "Please help."}
    response = client_for(desk["alice"]).post(URL, base | payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Ticket.objects.exists()


def test_another_buyers_payment_is_a_400_as_if_it_did_not_exist(desk, client_for) -> None:
    response = client_for(desk["alice"]).post(
        URL,
        {"category": "payment", "subject": "x", "body": "y", "payment": desk["bob_payment"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["payment"][0]


def test_staff_do_not_open_tickets_through_the_api(desk, client_for) -> None:
    response = client_for(desk["support"]).post(URL, {"category": "other", "subject": "x", "body": "y"}, format="json")
    assert response.status_code == 403


def test_a_buyer_lists_and_reads_only_their_own_tickets(desk, client_for, django_assert_num_queries) -> None:
    own = _ticket(desk)
    TicketFactory(customer=desk["bob"])
    for _ in range(3):
        TicketFactory(customer=desk["alice"])
    client = client_for(desk["alice"])
    client.get(URL)  # warm the token and permissions cache
    with django_assert_num_queries(5):  # token and user, two permission reads, count, page (clock joined)
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert client.get(f"{URL}{own.pk}/").status_code == 200
    bobs = Ticket.objects.get(customer=desk["bob"])
    assert client.get(f"{URL}{bobs.pk}/").status_code == 404
    assert (
        client.post(f"{URL}{bobs.pk}/interactions/", {"kind": "message", "body": "hi"}, format="json").status_code
        == 404
    )


def test_internal_notes_are_never_shown_to_the_customer(desk, client_for) -> None:
    ticket = _ticket(desk)
    ticket_interaction_add(
        ticket=ticket, actor=desk["support"], kind="note", body="Secret: PSP glitch", now=timezone.now()
    )
    ticket_interaction_add(ticket=ticket, actor=desk["support"], kind="message", body="We fix it.", now=timezone.now())
    customer_view = client_for(desk["alice"]).get(f"{URL}{ticket.pk}/").json()
    assert [entry["body"] for entry in customer_view["interactions"]] == ["The VAT line is doubled.", "We fix it."]
    # Who answered stays in the console: no staff ids for the customer.
    assert [(entry["author"], entry["data"]) for entry in customer_view["interactions"][1:]] == [
        (None, {"status": ["new", "open"]})
    ]
    assert "Secret" not in str(customer_view)
    staff_view = client_for(desk["support"]).get(f"{URL}{ticket.pk}/").json()
    assert "Secret: PSP glitch" in [entry["body"] for entry in staff_view["interactions"]]


def test_the_customer_replies_but_may_not_write_notes(desk, client_for) -> None:
    ticket = _ticket(desk)
    client = client_for(desk["alice"])
    reply = client.post(f"{URL}{ticket.pk}/interactions/", {"kind": "message", "body": "Any news?"}, format="json")
    assert reply.status_code == 201
    assert reply.json()["direction"] == "inbound"
    note = client.post(f"{URL}{ticket.pk}/interactions/", {"kind": "note", "body": "x"}, format="json")
    assert note.status_code == 403
    blank = client.post(f"{URL}{ticket.pk}/interactions/", {"kind": "message", "body": ""}, format="json")
    assert blank.status_code == 400 and "body" in blank.json()


def test_staff_send_a_macro_with_the_placeholders_filled_in(desk, client_for) -> None:
    ticket = _ticket(desk)
    macro = MacroFactory(category="invoice")
    response = client_for(desk["support"]).post(
        f"{URL}{ticket.pk}/interactions/", {"kind": "message", "macro": macro.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["body"] == "Hello Alice, about order SP-2026-000123: it is on its way."
    wrong = MacroFactory(category="payment")
    response = client_for(desk["support"]).post(
        f"{URL}{ticket.pk}/interactions/", {"kind": "message", "macro": wrong.pk}, format="json"
    )
    assert response.status_code == 400 and "macro" in response.json()


def test_escalate_resolve_and_follow_up_with_their_error_cases(desk, client_for) -> None:
    ticket = _ticket(desk)
    support, alice = client_for(desk["support"]), client_for(desk["alice"])
    path = f"{URL}{ticket.pk}"

    assert alice.post(f"{path}/escalate/", {"department": "billing", "reason": "x"}, format="json").status_code == 403
    assert client_for(desk["moderator"]).post(f"{path}/resolve/", {"resolution": "x"}, format="json").status_code == 403
    assert client_for(desk["bob"]).post(f"{path}/resolve/", {"resolution": "x"}, format="json").status_code == 404
    bad = support.post(f"{path}/escalate/", {"department": "marketing", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "department" in bad.json()

    escalated = support.post(f"{path}/escalate/", {"department": "billing", "reason": "Reissue"}, format="json")
    assert escalated.status_code == 200
    assert (escalated.json()["status"], escalated.json()["department"], escalated.json()["target"]) == (
        "escalated",
        "billing",
        "department",
    )
    assert support.post(f"{path}/escalate/", {"department": "billing", "reason": "x"}, format="json").status_code == 409

    past = support.post(f"{path}/follow-up/", {"due_at": "2020-01-01T00:00:00Z", "note": "x"}, format="json")
    assert past.status_code == 400 and "due_at" in past.json()
    due = (timezone.now() + timedelta(days=1)).isoformat()
    assert support.post(f"{path}/follow-up/", {"due_at": due, "note": "Check"}, format="json").status_code == 201

    resolved = support.post(f"{path}/resolve/", {"resolution": "Corrected invoice sent."}, format="json")
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("resolved", "Corrected invoice sent.")
    assert support.post(f"{path}/resolve/", {"resolution": "again"}, format="json").status_code == 409
    assert support.post(f"{path}/follow-up/", {"due_at": due}, format="json").status_code == 409
    assert support.post(f"{path}/interactions/", {"kind": "message", "body": "x"}, format="json").status_code == 409


def test_a_closed_ticket_refuses_the_customers_reply_with_409(desk, client_for) -> None:
    ticket = _ticket(desk)
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Done", now=timezone.now() - timedelta(days=30))
    response = client_for(desk["alice"]).post(
        f"{URL}{ticket.pk}/interactions/", {"kind": "message", "body": "Hello?"}, format="json"
    )
    assert response.status_code == 409


def test_staff_filter_the_queue(desk, client_for) -> None:
    breaching = TicketFactory(customer=desk["alice"], category="payment", created_at=timezone.now() - timedelta(days=3))
    TicketFactory(customer=BuyerFactory(), category="invoice")
    client = client_for(desk["support"])

    def ids(query: str) -> list[int]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("breaching=true") == [breaching.pk]
    assert ids("category=payment") == [breaching.pk]
    assert len(ids("status=new")) == 2
    assert ids("department=finance") == []
    assert client.get(f"{URL}?priority=extreme").status_code == 400
    assert client.get(f"{URL}?breaching=maybe").status_code == 400
