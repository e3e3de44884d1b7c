"""The help desk's actions on the real records over the API, and the buyer's own reads: error cases
answer 400/403/404/409 naming the field, never a 500, and change nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.models import OrderEvent, Payment, Receipt, ReceiptDelivery, ReceiptRevision, Refund, RefundGrant
from marketplace.selectors.buyer import add_working_days
from marketplace.services.billing import refund_issue
from tests.accounts.factories import AdminFactory, BuyerFactory
from tests.marketplace.factories import OrderFactory, ShipmentFactory, TrackingEventFactory
from tests.marketplace.factories_billing import PaymentFactory, ReceiptFactory

pytestmark = pytest.mark.django_db


def test_a_buyer_lists_their_own_refunds_with_when_they_reach_the_statement(client_for, finance_user):
    payment = PaymentFactory()
    refund = refund_issue(
        payment=payment, amount=Decimal("5.00"), reason="Late", actor=finance_user, now=timezone.now()
    )
    refund_issue(payment=PaymentFactory(), amount=Decimal("6.00"), reason="x", actor=finance_user, now=timezone.now())
    buyer = client_for(payment.order.buyer)

    body = buyer.get("/api/v1/refunds/").json()

    assert [row["id"] for row in body["results"]] == [refund.pk]
    issued = refund.created_at.date()
    assert body["results"][0]["on_statement_from"] == add_working_days(issued, 3).isoformat()
    assert body["results"][0]["on_statement_by"] == add_working_days(issued, 5).isoformat()
    other = Refund.objects.exclude(pk=refund.pk).get()
    assert buyer.get(f"/api/v1/refunds/{other.pk}/").status_code == 404


def test_refund_grant_then_send_over_the_api_by_two_people(client_for, staff_user, finance_user):
    payment = PaymentFactory()
    granted = client_for(staff_user).post(
        f"/api/v1/payments/{payment.pk}/refund-grants/", {"amount": "20.00", "reason": "Damaged"}, format="json"
    )
    assert granted.status_code == 201, granted.json()
    grant_id = granted.json()["id"]
    assert granted.json()["status"] == "granted"

    # The buyer sees the approved refund as theirs.
    buyer_view = client_for(payment.order.buyer).get("/api/v1/refund-grants/").json()
    assert [row["id"] for row in buyer_view["results"]] == [grant_id]

    sent = client_for(finance_user).post(f"/api/v1/refund-grants/{grant_id}/send/")
    assert sent.status_code == 201
    assert sent.json()["amount"] == "20.00"
    again = client_for(AdminFactory()).post(f"/api/v1/refund-grants/{grant_id}/send/")
    assert again.status_code == 409


def test_the_granter_sending_their_own_grant_is_403_and_nothing_moves(client_for):
    admin = AdminFactory()
    payment = PaymentFactory()
    client = client_for(admin)
    grant_id = client.post(
        f"/api/v1/payments/{payment.pk}/refund-grants/", {"amount": "20.00", "reason": "x"}, format="json"
    ).json()["id"]

    response = client.post(f"/api/v1/refund-grants/{grant_id}/send/")

    assert response.status_code == 403
    assert RefundGrant.objects.get().status == "granted"
    assert Payment.objects.get().refunded_amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount": "47.99", "reason": "x"}, "amount"),
        ({"amount": "-1", "reason": "x"}, "amount"),
        ({"amount": "1.001", "reason": "x"}, "amount"),
        ({"amount": "1.00"}, "reason"),
    ],
)
def test_bad_grant_input_is_400_naming_the_field(client_for, staff_user, payload, field):
    payment = PaymentFactory()
    response = client_for(staff_user).post(f"/api/v1/payments/{payment.pk}/refund-grants/", payload, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert not RefundGrant.objects.exists()


def test_refund_difference_over_the_api(client_for, finance_user):
    order = OrderFactory()
    PaymentFactory(order=order)
    duplicate = PaymentFactory(order=order)
    client = client_for(finance_user)
    url = f"/api/v1/payments/{duplicate.pk}/refund-difference/"

    wrong = client.post(url, {"kind": "duplicate_charge", "reason": "x", "amount": "10.00"}, format="json")
    bad_kind = client.post(url, {"kind": "refund_everything", "reason": "x"}, format="json")
    done = client.post(url, {"kind": "duplicate_charge", "reason": "Charged twice"}, format="json")
    again = client.post(url, {"kind": "duplicate_charge", "reason": "Charged twice"}, format="json")

    assert wrong.status_code == 400
    assert wrong.json()["amount"] == ["The difference is 47.98 USD; only exactly that is refunded."]
    assert bad_kind.status_code == 400 and list(bad_kind.json()) == ["kind"]
    assert done.status_code == 201
    assert done.json() | {"refund": None} == {"amount": "47.98", "outcome": "refunded", "refund": None, "grant": None}
    assert again.status_code == 409
    assert client_for(BuyerFactory()).post(url, {"kind": "overcharge", "reason": "x"}, format="json").status_code == 404


def test_a_failed_payment_over_the_api_tells_the_buyer_why_and_what_next(client_for, finance_user):
    payment = PaymentFactory(status="authorized", captured_amount=Decimal("0.00"), captured_at=None)

    bad = client_for(finance_user).post(f"/api/v1/payments/{payment.pk}/fail/", {"reason": "nope"}, format="json")
    response = client_for(finance_user).post(
        f"/api/v1/payments/{payment.pk}/fail/", {"reason": "expired_card"}, format="json"
    )
    twice = client_for(finance_user).post(
        f"/api/v1/payments/{payment.pk}/fail/", {"reason": "expired_card"}, format="json"
    )

    assert bad.status_code == 400
    assert response.status_code == 200
    assert response.json()["status"] == "failed" and response.json()["failure_reason"] == "expired_card"
    assert response.json()["failure_next_step"] == "The card has expired. Pay again with a card that is still valid."
    assert twice.status_code == 409
    notice = payment.order.buyer.notifications.get()
    assert notice.kind == "payment_failed" and "Why: Card expired." in notice.body


def test_recording_a_failed_payment_with_a_reason_for_a_captured_one_is_400(client_for, finance_user):
    order = OrderFactory()
    response = client_for(finance_user).post(
        "/api/v1/payments/",
        {"order": order.pk, "amount": "10.00", "method": "card", "status": "captured", "failure_reason": "other"},
        format="json",
    )
    assert response.status_code == 400 and "failure_reason" in response.json()
    assert not Payment.objects.exists()


def test_receipt_reissue_over_the_api_records_what_it_said_and_sends_it_to_the_right_address(
    client_for, staff_user, django_capture_on_commit_callbacks
):
    receipt = ReceiptFactory(number="RCT-OLD", amount=Decimal("40.00"), email="old@example.com")
    url = f"/api/v1/receipts/{receipt.pk}/reissue/"

    assert (
        client_for(staff_user).post(url, {"reason": "x", "email": "not-an-address"}, format="json").status_code == 400
    )
    assert client_for(receipt.payment.order.buyer).post(url, {"reason": "x"}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_user).post(
            url, {"reason": "Wrong amount", "email": "right@example.com"}, format="json"
        )

    assert response.status_code == 200, response.json()
    receipt.refresh_from_db()
    assert (receipt.amount, receipt.email) == (Decimal("47.98"), "right@example.com")
    assert receipt.number != "RCT-OLD" and response.json()["number"] == receipt.number
    revision = ReceiptRevision.objects.get()
    assert (revision.number, revision.amount, revision.email, revision.reason) == (
        "RCT-OLD",
        Decimal("40.00"),
        "old@example.com",
        "Wrong amount",
    )
    assert ReceiptDelivery.objects.get().email == "right@example.com"
    assert OrderEvent.objects.filter(kind="receipt_reissued").count() == 1


def test_receipt_verification_names_what_is_wrong(client_for, staff_user):
    wrong = ReceiptFactory(amount=Decimal("40.00"))
    response = client_for(staff_user).get(f"/api/v1/receipts/{wrong.pk}/verification/")

    assert response.status_code == 200
    assert response.json()["is_correct"] is False
    assert response.json()["problems"] == [
        "The receipt says 40.00, the payment took 47.98.",
        "The receipt was never sent.",
    ]
    assert client_for(wrong.payment.order.buyer).get(f"/api/v1/receipts/{wrong.pk}/verification/").status_code == 403
    assert Receipt.objects.count() == 1


def test_order_status_answer_is_built_from_the_shipment_and_sent_by_staff(client_for, staff_user):
    shipment = ShipmentFactory(carrier="DHL", tracking_number="T-1")
    TrackingEventFactory(shipment=shipment, status="in_transit", location="Cape Town", description="")
    order = shipment.order
    url = f"/api/v1/orders/{order.pk}/status-answer/"

    preview = client_for(order.buyer).get(url)
    sent = client_for(staff_user).post(url, {}, format="json")
    edited = client_for(staff_user).post(url, {"text": "  "}, format="json")

    assert preview.status_code == 200
    assert "It travels with DHL, tracking number T-1." in preview.json()["text"]
    assert "in transit in Cape Town." in preview.json()["text"]
    assert sent.status_code == 201 and sent.json()["text"] == preview.json()["text"]
    assert edited.status_code == 400
    assert client_for(order.buyer).post(url, {}, format="json").status_code == 403
    assert client_for(BuyerFactory()).get(url).status_code == 404
    notice = order.buyer.notifications.get(kind="order_status_answer")
    assert notice.body == preview.json()["text"]
    assert OrderEvent.objects.filter(order=order, kind="status_answered").count() == 1
