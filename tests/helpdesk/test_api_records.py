"""The actions on the real records through the API (``POST /api/v1/tickets/<id>/<action>/``):
the services the console's buttons call, with every error case (400 the field at fault, 403 the
role, 404 a ticket the caller may not see, 409 the state) changing nothing, and a doubled submit
acting once."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.models import Interaction, Ticket
from helpdesk.services.tickets import ticket_open, ticket_resolve
from marketplace.models import Invoice, ReceiptDelivery, Refund, RefundGrant
from tests.marketplace.factories_billing import PaymentFactory, ReceiptFactory

URL = "/api/v1/tickets/"


def _ticket(desk: dict[str, Any], category: str, **records: Any) -> Ticket:
    return ticket_open(
        customer=desk["alice"], category=category, subject="Help", body="Please.", now=timezone.now(), **records
    )


def _post(client: Any, ticket: Ticket, action: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post(f"{URL}{ticket.pk}/{action}/", body or {}, format="json", **headers)


ACTIONS = (
    "order-status",
    "reissue-invoice",
    "verify-receipt",
    "resend-receipt",
    "reissue-receipt",
    "refund",
    "send-refund",
)


@pytest.mark.parametrize("action", ACTIONS)
def test_the_customer_and_moderators_may_not_act_and_other_buyers_do_not_see_the_ticket(
    desk, client_for, action
) -> None:
    ticket = _ticket(desk, "payment", subcategory="duplicate_charge", payment=desk["payment"])
    entries = Interaction.objects.count()

    assert _post(client_for(desk["alice"]), ticket, action).status_code == 403
    assert _post(client_for(desk["moderator"]), ticket, action).status_code == 403
    assert _post(client_for(desk["bob"]), ticket, action).status_code == 404
    assert _post(client_for(desk["support"]), Ticket(pk=999999), action).status_code == 404
    assert Interaction.objects.count() == entries


def test_order_status_is_sent_as_the_reply_and_needs_an_order(desk, client_for) -> None:
    support = client_for(desk["support"])
    ticket = _ticket(desk, "order_status", order=desk["order"])

    response = _post(support, ticket, "order-status")

    assert response.status_code == 200
    assert response.json()["id"] == ticket.pk
    sent = [entry for entry in response.json()["interactions"] if entry["direction"] == "outbound"]
    assert len(sent) == 1 and "SP-2026-000123" in sent[0]["body"]
    other = _ticket(desk, "other")
    refused = _post(support, other, "order-status")
    assert (refused.status_code, refused.json()["code"]) == (409, "no_order")
    assert not Interaction.objects.filter(ticket=other, direction="outbound").exists()


def test_finance_reissues_the_invoice_once_and_support_may_not(desk, client_for) -> None:
    ticket = _ticket(desk, "invoice", subcategory="discount", invoice=desk["invoice"])
    finance, support = client_for(desk["finance"]), client_for(desk["support"])
    body = {"reason": "Discount left off", "discount": "7.50"}

    assert _post(support, ticket, "reissue-invoice", body).status_code == 403
    missing = _post(finance, ticket, "reissue-invoice", {"discount": "7.50"})
    assert missing.status_code == 400 and "reason" in missing.json()
    negative = _post(finance, ticket, "reissue-invoice", {"reason": "x", "tax": "-1.00"})
    assert negative.status_code == 400 and "tax" in negative.json()
    assert Invoice.objects.count() == 1

    first = _post(finance, ticket, "reissue-invoice", body, HTTP_IDEMPOTENCY_KEY="reissue-1")
    again = _post(finance, ticket, "reissue-invoice", body, HTTP_IDEMPOTENCY_KEY="reissue-1")

    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    new = Invoice.objects.get(supersedes=desk["invoice"])
    assert (new.version, new.discount, Invoice.objects.count()) == (2, Decimal("7.50"), 2)
    assert Interaction.objects.filter(ticket=ticket, action="invoice_reissued").count() == 1


def test_the_receipt_is_verified_resent_and_reissued(desk, client_for) -> None:
    ReceiptFactory(payment=desk["payment"], amount=Decimal("40.00"))
    ticket = _ticket(desk, "receipt", subcategory="receipt_incorrect", payment=desk["payment"])
    support = client_for(desk["support"])

    verified = _post(support, ticket, "verify-receipt")
    assert verified.status_code == 200
    check = Interaction.objects.get(ticket=ticket, action="receipt_verified")
    assert check.is_internal and "The receipt says 40.00, the payment took 47.98." in check.body

    bad = _post(support, ticket, "resend-receipt", {"email": "not-an-address"})
    assert bad.status_code == 400 and "email" in bad.json()
    resent = _post(support, ticket, "resend-receipt", {"email": "alice.work@example.com"})
    assert resent.status_code == 200
    assert ReceiptDelivery.objects.filter(email="alice.work@example.com").count() == 1

    missing = _post(support, ticket, "reissue-receipt", {})
    assert missing.status_code == 400 and "reason" in missing.json()
    reissued = _post(support, ticket, "reissue-receipt", {"reason": "Wrong amount"})
    assert reissued.status_code == 200
    assert Interaction.objects.filter(ticket=ticket, action="receipt_reissued").count() == 1

    no_receipt = _ticket(desk, "receipt", subcategory="receipt_missing", payment=PaymentFactory(order=desk["order"]))
    for action in ("verify-receipt", "resend-receipt"):
        refused = _post(support, no_receipt, action)
        assert (refused.status_code, refused.json()["code"]) == (409, "no_receipt")


def test_support_grants_the_difference_and_another_finance_user_sends_it(desk, client_for, settings) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("10.00")
    duplicate = PaymentFactory(order=desk["order"])
    ticket = _ticket(desk, "payment", subcategory="duplicate_charge", payment=duplicate)
    support, finance = client_for(desk["support"]), client_for(desk["finance"])

    wrong = _post(support, ticket, "refund", {"reason": "Charged twice", "amount": "10.00"})
    assert wrong.status_code == 400 and "amount" in wrong.json()
    assert _post(support, ticket, "refund", {"reason": "x", "kind": "theft"}).status_code == 400
    assert not RefundGrant.objects.exists()

    granted = _post(support, ticket, "refund", {"reason": "Charged twice"}, HTTP_IDEMPOTENCY_KEY="refund-1")
    doubled = _post(support, ticket, "refund", {"reason": "Charged twice"}, HTTP_IDEMPOTENCY_KEY="refund-1")

    assert granted.status_code == doubled.status_code == 200
    grant = RefundGrant.objects.get()
    assert (grant.amount, grant.status) == (Decimal("47.98"), "granted")
    assert _post(support, ticket, "send-refund").status_code == 403  # support grants; finance sends
    unknown = _post(finance, ticket, "send-refund", {"grant": 999999})
    assert unknown.status_code == 400 and "grant" in unknown.json()
    assert not Refund.objects.exists()

    sent = _post(finance, ticket, "send-refund", {"grant": grant.pk})

    assert sent.status_code == 200
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.created_by_id) == (
        duplicate.pk,
        Decimal("47.98"),
        desk["finance"].pk,
    )
    nothing_waits = _post(finance, ticket, "send-refund")
    assert (nothing_waits.status_code, nothing_waits.json()["code"]) == (409, "no_grant")
    nothing_left = _post(finance, ticket, "refund", {"reason": "again"})
    assert nothing_left.status_code == 409
    assert Refund.objects.count() == 1


def test_whoever_granted_may_not_send_and_a_resolved_ticket_is_a_conflict(desk, client_for, settings) -> None:
    settings.MARKETPLACE_REFUND_APPROVAL_THRESHOLD = Decimal("10.00")
    ticket = _ticket(desk, "payment", subcategory="duplicate_charge", payment=PaymentFactory(order=desk["order"]))
    admin = client_for(desk["admin"])
    assert _post(admin, ticket, "refund", {"reason": "Charged twice"}).status_code == 200

    refused = _post(admin, ticket, "send-refund")

    assert (refused.status_code, refused.json()["code"]) == (403, "four_eyes")
    assert RefundGrant.objects.get().status == "granted" and not Refund.objects.exists()
    ticket_resolve(ticket=ticket, actor=desk["support"], resolution="Done", now=timezone.now())
    for action, body in (("refund", {"reason": "x"}), ("send-refund", {}), ("verify-receipt", {})):
        assert _post(client_for(desk["finance"]), ticket, action, body).status_code == 409


def test_the_record_actions_are_in_the_openapi_schema(client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for action in ACTIONS:
        operation = schema["paths"][f"/api/v1/tickets/{{id}}/{action}/"]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
