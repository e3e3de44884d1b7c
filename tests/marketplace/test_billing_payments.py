"""Payments and refunds: record (with receipt when captured), capture, refund, scoped reads."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from marketplace.models import OrderEvent, Payment, PaymentEvent, Receipt, ReceiptDelivery, Refund
from marketplace.notices import Kind
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory
from tests.marketplace.factories import OrderFactory, SellerFactory, SellerMemberFactory
from tests.marketplace.factories_billing import PaymentFactory

pytestmark = pytest.mark.django_db

LIST = reverse("payments-list")


def detail(payment_id: int) -> str:
    return reverse("payments-detail", args=[payment_id])


def capture(payment_id: int) -> str:
    return reverse("payments-capture", args=[payment_id])


def refunds(payment_id: int) -> str:
    return reverse("payments-refunds", args=[payment_id])


@pytest.fixture
def world():
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)
    buyer = BuyerFactory()
    order = OrderFactory(buyer=buyer, seller=seller)  # total 47.98 USD
    return {"seller": seller, "member": member, "buyer": buyer, "order": order}


def _pay(client, order_id: int, **extra):
    payload = {"order": order_id, "amount": "47.98", "method": "card", "status": "captured", **extra}
    return client.post(LIST, payload, format="json")


# --- Record -------------------------------------------------------------------------------------


def test_a_captured_payment_gets_a_receipt_emailed_to_the_buyer(
    client_for, finance_user, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _pay(client_for(finance_user), world["order"].pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["order"] == world["order"].pk
    assert body["reference"].startswith("PAY-")
    assert (body["amount"], body["captured_amount"], body["refunded_amount"], body["refundable_amount"]) == (
        "47.98",
        "47.98",
        "0.00",
        "47.98",
    )
    assert body["currency"] == "USD"
    assert body["status"] == "captured"
    assert body["captured_at"] is not None
    assert body["refunds"] == []
    receipt = Receipt.objects.get()
    assert body["receipt"] == receipt.pk
    assert receipt.number.startswith("RCT-")
    assert receipt.amount == Decimal("47.98")
    assert receipt.email == world["buyer"].email
    delivery = ReceiptDelivery.objects.get()
    assert (delivery.email, delivery.is_resend, delivery.requested_by) == (world["buyer"].email, False, finance_user)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world["buyer"].email]
    assert receipt.number in message.subject
    assert world["order"].number in message.body
    assert "47.98 USD" in message.body
    assert "Card" in message.body
    assert Notification.objects.filter(recipient=world["buyer"], kind=Kind.RECEIPT_SENT).count() == 1
    assert list(PaymentEvent.objects.values_list("from_status", "to_status", "amount")) == [
        ("", "captured", Decimal("47.98"))
    ]
    kinds = list(OrderEvent.objects.filter(order=world["order"]).values_list("kind", flat=True))
    assert kinds == [OrderEvent.Kind.PAYMENT_RECORDED, OrderEvent.Kind.RECEIPT_SENT]


def test_the_receipt_email_waits_for_commit(client_for, finance_user, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _pay(client_for(finance_user), world["order"].pk).status_code == 201
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_pending_payment_has_no_receipt_and_capture_issues_it(
    client_for, finance_user, world, django_capture_on_commit_callbacks
):
    client = client_for(finance_user)
    response = _pay(client, world["order"].pk, status="authorized", amount="20.00")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["captured_amount"], body["receipt"]) == ("authorized", "0.00", None)
    assert not Receipt.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(capture(body["id"]))
    assert response.status_code == 200
    captured = response.json()
    assert (captured["status"], captured["captured_amount"], captured["refundable_amount"]) == (
        "captured",
        "20.00",
        "20.00",
    )
    assert captured["receipt"] == Receipt.objects.get().pk
    assert len(mail.outbox) == 1
    assert list(PaymentEvent.objects.order_by("id").values_list("from_status", "to_status")) == [
        ("", "authorized"),
        ("authorized", "captured"),
    ]
    assert client.post(capture(body["id"])).status_code == 409


def test_capture_of_a_failed_payment_is_409(client_for, finance_user, world):
    response = _pay(client_for(finance_user), world["order"].pk, status="failed")
    assert response.status_code == 201
    assert client_for(finance_user).post(capture(response.json()["id"])).status_code == 409
    assert Payment.objects.get().status == "failed"


def test_amount_beyond_the_unpaid_balance_is_400(client_for, finance_user, world):
    client = client_for(finance_user)
    assert _pay(client, world["order"].pk, amount="40.00").status_code == 201
    response = _pay(client, world["order"].pk, amount="7.99")
    assert response.status_code == 400
    assert "amount" in response.json()
    assert "7.98" in response.json()["amount"][0]
    assert _pay(client, world["order"].pk, amount="7.98").status_code == 201
    assert Payment.objects.count() == 2


def test_a_refund_frees_the_balance_again(client_for, finance_user, world):
    client = client_for(finance_user)
    payment_id = _pay(client, world["order"].pk).json()["id"]
    assert client.post(refunds(payment_id), {"amount": "10.00", "reason": "Damaged"}, format="json").status_code == 201
    assert _pay(client, world["order"].pk, amount="10.01").status_code == 400
    assert _pay(client, world["order"].pk, amount="10.00").status_code == 201


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "9" * 2000}, "amount"),
        ({"method": "barter"}, "method"),
        ({"status": "refunded"}, "status"),
        ({"currency": "EUR"}, "currency"),
        ({"currency": "XXX"}, "currency"),
        ({"order": "1\x00"}, "order"),
        ({"order": 999999}, "order"),
    ],
)
def test_record_with_bad_input_is_400_and_writes_nothing(client_for, finance_user, world, extra, field):
    response = _pay(client_for(finance_user), world["order"].pk, **extra)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Payment.objects.exists()
    assert not OrderEvent.objects.exists()


def test_a_cancelled_order_takes_no_payment(client_for, finance_user, world):
    order = OrderFactory(buyer=world["buyer"], seller=world["seller"], status="cancelled")
    assert _pay(client_for(finance_user), order.pk).status_code == 409
    assert not Payment.objects.exists()


def test_only_add_payment_holders_record_payments(client_for, staff_user, world):
    for user in (world["buyer"], world["member"], staff_user):
        assert _pay(client_for(user), world["order"].pk).status_code == 403
    assert not Payment.objects.exists()


def test_record_without_credentials_is_401(api_client, world):
    assert _pay(api_client, world["order"].pk).status_code == 401


# --- Refunds ------------------------------------------------------------------------------------


@pytest.fixture
def payment(world):
    return PaymentFactory(order=world["order"])


def test_partial_then_full_refund(client_for, finance_user, world, payment):
    client = client_for(finance_user)
    response = client.post(refunds(payment.pk), {"amount": "10.50", "reason": "Late delivery"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["payment"] == payment.pk
    assert body["amount"] == "10.50"
    assert body["reason"] == "Late delivery"
    assert body["created_by"] == finance_user.pk
    assert body["created_at"]
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("10.50")
    assert payment.status == "partially_refunded"
    response = client.post(refunds(payment.pk), {"amount": "37.48", "reason": "Returned"}, format="json")
    assert response.status_code == 201
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("47.98")
    assert payment.status == "refunded"
    assert list(PaymentEvent.objects.filter(payment=payment).values_list("from_status", "to_status", "amount")) == [
        ("captured", "partially_refunded", Decimal("10.50")),
        ("partially_refunded", "refunded", Decimal("37.48")),
    ]
    assert OrderEvent.objects.filter(kind=OrderEvent.Kind.REFUND_ISSUED).count() == 2
    assert Notification.objects.filter(recipient=world["buyer"], kind=Kind.REFUND_ISSUED).count() == 2
    # Fully refunded: the payment is no longer refundable.
    response = client.post(refunds(payment.pk), {"amount": "0.01", "reason": "More"}, format="json")
    assert response.status_code == 409
    detail_body = client.get(detail(payment.pk)).json()
    assert detail_body["refundable_amount"] == "0.00"
    assert [row["amount"] for row in detail_body["refunds"]] == ["10.50", "37.48"]


def test_a_refund_beyond_the_refundable_amount_is_400_and_changes_nothing(client_for, finance_user, payment):
    client = client_for(finance_user)
    response = client.post(refunds(payment.pk), {"amount": "47.99", "reason": "Too much"}, format="json")
    assert response.status_code == 400
    assert "amount" in response.json()
    payment.refresh_from_db()
    assert (payment.refunded_amount, payment.status) == (Decimal("0.00"), "captured")
    assert not Refund.objects.exists()
    assert not PaymentEvent.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"amount": "1.00"}, "reason"),
        ({"amount": "1.00", "reason": ""}, "reason"),
        ({"amount": "1.00", "reason": "a\x00b"}, "reason"),
        ({"reason": "x"}, "amount"),
        ({"amount": "-1", "reason": "x"}, "amount"),
        ({"amount": "0.001", "reason": "x"}, "amount"),
        ({"amount": [], "reason": "x"}, "amount"),
        ({"amount": "1e999999", "reason": "x"}, "amount"),
    ],
)
def test_refund_with_bad_input_is_400(client_for, finance_user, payment, payload, field):
    response = client_for(finance_user).post(refunds(payment.pk), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Refund.objects.exists()


def test_a_payment_that_is_not_captured_cannot_be_refunded(client_for, finance_user, world):
    pending = PaymentFactory(
        order=world["order"], status="authorized", captured_amount=Decimal("0.00"), captured_at=None
    )
    response = client_for(finance_user).post(refunds(pending.pk), {"amount": "1.00", "reason": "x"}, format="json")
    assert response.status_code == 409
    assert not Refund.objects.exists()


def test_only_add_refund_holders_refund(client_for, staff_user, world, payment):
    for user in (world["buyer"], world["member"], staff_user):
        response = client_for(user).post(refunds(payment.pk), {"amount": "1.00", "reason": "x"}, format="json")
        assert response.status_code == 403
    assert not Refund.objects.exists()


def test_refund_of_a_missing_payment_is_404_and_without_credentials_401(api_client, client_for, finance_user, payment):
    assert client_for(finance_user).post(refunds(999999), {"amount": "1", "reason": "x"}).status_code == 404
    assert api_client.post(refunds(payment.pk), {"amount": "1", "reason": "x"}).status_code == 401


# --- Reads --------------------------------------------------------------------------------------


def test_payments_are_scoped_like_orders(client_for, world, payment):
    PaymentFactory()  # another buyer's, another seller's
    for user in (world["buyer"], world["member"]):
        client = client_for(user)
        assert [row["id"] for row in client.get(LIST).json()["results"]] == [payment.pk]
        assert client.get(detail(payment.pk)).status_code == 200
    for user in (BuyerFactory(), SellerMemberFactory()):
        client = client_for(user)
        assert client.get(LIST).json()["count"] == 0
        assert client.get(detail(payment.pk)).status_code == 404


def test_payment_filters(client_for, staff_user, world, payment):
    other = PaymentFactory(method="wallet", status="failed", captured_amount=Decimal("0.00"))
    client = client_for(staff_user)
    assert client.get(LIST).json()["count"] == 2
    assert [row["id"] for row in client.get(LIST, {"method": "wallet"}).json()["results"]] == [other.pk]
    assert [row["id"] for row in client.get(LIST, {"status": "captured"}).json()["results"]] == [payment.pk]
    assert [row["id"] for row in client.get(LIST, {"order": world["order"].pk}).json()["results"]] == [payment.pk]
    assert client.get(LIST, {"status": "bogus"}).status_code == 400
    assert client.get(LIST, {"order": "x"}).status_code == 400


def test_payment_list_without_credentials_is_401(api_client):
    assert api_client.get(LIST).status_code == 401


@pytest.mark.parametrize("page_size", [5, 50])
def test_payment_list_query_count_does_not_grow_with_the_page(client_for, django_assert_num_queries, page_size):
    buyer = BuyerFactory()
    for _ in range(12):
        payment = PaymentFactory(order=OrderFactory(buyer=buyer))
        Refund.objects.create(payment=payment, amount=Decimal("1.00"), reason="x")
    client = client_for(buyer)
    # token+user, count, page (receipt joined), refunds prefetch
    with django_assert_num_queries(4):
        response = client.get(LIST, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 12)
