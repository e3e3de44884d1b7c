"""Receipts: scoped reads and resend (logged, emailed after commit, address rules by role)."""

import pytest
from django.core import mail
from django.urls import reverse

from marketplace.models import OrderEvent, ReceiptDelivery
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, SellerFactory, SellerMemberFactory
from tests.marketplace.factories_billing import PaymentFactory, ReceiptFactory

pytestmark = pytest.mark.django_db

LIST = reverse("receipts-list")


def detail(receipt_id: int) -> str:
    return reverse("receipts-detail", args=[receipt_id])


def resend(receipt_id: int) -> str:
    return reverse("receipts-resend", args=[receipt_id])


@pytest.fixture
def world():
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)
    buyer = BuyerFactory()
    order = OrderFactory(buyer=buyer, seller=seller)
    receipt = ReceiptFactory(payment=PaymentFactory(order=order))
    return {"seller": seller, "member": member, "buyer": buyer, "order": order, "receipt": receipt}


def test_support_resends_to_any_address_after_commit(client_for, staff_user, world, django_capture_on_commit_callbacks):
    receipt = world["receipt"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(staff_user).post(resend(receipt.pk), {"email": "accounts@buyer.example"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["receipt"], body["email"], body["is_resend"], body["requested_by"]) == (
        receipt.pk,
        "accounts@buyer.example",
        True,
        staff_user.pk,
    )
    assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["accounts@buyer.example"]
    assert receipt.number in message.subject
    for text in (receipt.number, world["order"].number, "47.98 USD", "Card", "Date: "):
        assert text in message.body
    delivery = ReceiptDelivery.objects.get()
    assert (delivery.is_resend, delivery.requested_by) == (True, staff_user)
    assert OrderEvent.objects.filter(kind=OrderEvent.Kind.RECEIPT_SENT, actor=staff_user).count() == 1


def test_staff_resend_defaults_to_the_buyers_address(
    client_for, finance_user, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(finance_user).post(resend(world["receipt"].pk), {}, format="json")
    assert response.status_code == 201
    assert mail.outbox[0].to == [world["buyer"].email]


def test_the_buyer_resends_to_their_own_address_only(client_for, world, django_capture_on_commit_callbacks):
    client = client_for(world["buyer"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resend(world["receipt"].pk), {}, format="json").status_code == 201
        own = world["buyer"].email.upper()
        assert client.post(resend(world["receipt"].pk), {"email": own}, format="json").status_code == 201
    assert [message.to for message in mail.outbox] == [[world["buyer"].email], [world["buyer"].email]]
    response = client.post(resend(world["receipt"].pk), {"email": "thief@elsewhere.example"}, format="json")
    assert response.status_code == 403
    assert ReceiptDelivery.objects.count() == 2


def test_sellers_and_moderators_may_not_resend(client_for, world):
    moderator = UserFactory(role="moderator")
    for user in (world["member"], moderator):
        assert client_for(user).post(resend(world["receipt"].pk), {}, format="json").status_code == 403
    assert not ReceiptDelivery.objects.exists()


@pytest.mark.parametrize("payload", [{"email": "not-an-email"}, {"email": "a\x00@b.example"}, {"email": 12}])
def test_resend_with_a_bad_address_is_400(client_for, staff_user, world, payload):
    response = client_for(staff_user).post(resend(world["receipt"].pk), payload, format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    assert not ReceiptDelivery.objects.exists()


def test_resend_of_someone_elses_receipt_is_404_and_401_without_credentials(api_client, client_for, world):
    assert client_for(BuyerFactory()).post(resend(world["receipt"].pk), {}, format="json").status_code == 404
    assert client_for(SellerMemberFactory()).post(resend(world["receipt"].pk), {}, format="json").status_code == 404
    assert api_client.post(resend(world["receipt"].pk), {}, format="json").status_code == 401


def test_a_failing_mail_server_does_not_fail_the_request(
    client_for, staff_user, world, django_capture_on_commit_callbacks, monkeypatch
):
    def broken_send(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken_send)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_user).post(resend(world["receipt"].pk), {}, format="json")
    assert response.status_code == 201
    assert ReceiptDelivery.objects.count() == 1


def test_receipts_are_scoped_like_orders(client_for, staff_user, world):
    receipt = world["receipt"]
    other = ReceiptFactory()
    for user in (world["buyer"], world["member"]):
        client = client_for(user)
        assert [row["id"] for row in client.get(LIST).json()["results"]] == [receipt.pk]
        body = client.get(detail(receipt.pk)).json()
        assert (body["number"], body["order"], body["amount"], body["currency"], body["method"]) == (
            receipt.number,
            world["order"].pk,
            "47.98",
            "USD",
            "card",
        )
        assert client.get(detail(other.pk)).status_code == 404
    staff = client_for(staff_user)
    assert staff.get(LIST).json()["count"] == 2
    assert [row["id"] for row in staff.get(LIST, {"order": world["order"].pk}).json()["results"]] == [receipt.pk]
    assert staff.get(LIST, {"payment": "x"}).status_code == 400


def test_receipt_list_without_credentials_is_401(api_client):
    assert api_client.get(LIST).status_code == 401


@pytest.mark.parametrize("page_size", [5, 50])
def test_receipt_list_query_count_does_not_grow_with_the_page(
    client_for, staff_user, django_assert_num_queries, page_size
):
    for _ in range(12):
        receipt = ReceiptFactory()
        ReceiptDelivery.objects.create(receipt=receipt, email="x@example.com")
    client = client_for(staff_user)
    # token+user, count, page (payment joined), deliveries prefetch
    with django_assert_num_queries(4):
        response = client.get(LIST, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 12)


@pytest.mark.parametrize("name", ["invoices", "payments", "receipts", "notifications"])
@pytest.mark.parametrize("pk", ["abc", "99999999999999999999999999", "-1", "0", "0.5", "1e3", "%C2%84"])
def test_odd_ids_in_the_path_are_json_404s(client_for, staff_user, name, pk):
    response = client_for(staff_user).get(f"/api/v1/{name}/{pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_caller_who_cannot_see_the_record_gets_404_before_any_role_check(client_for, world):
    outsider = BuyerFactory()
    payment_id = world["receipt"].payment_id
    assert client_for(outsider).post(f"/api/v1/payments/{payment_id}/refunds/", {}, format="json").status_code == 404
    assert client_for(outsider).post(f"/api/v1/payments/{payment_id}/capture/").status_code == 404
