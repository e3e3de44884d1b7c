"""Invoices: issue from an order, reissue as a new version, read scoped like orders."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from marketplace.models import Invoice, InvoiceLine, InvoiceStatus, OrderEvent
from marketplace.notices import Kind
from notifications.models import Notification
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory
from tests.marketplace.factories_billing import InvoiceFactory

pytestmark = pytest.mark.django_db

LIST = reverse("invoices-list")


def detail(invoice_id: int) -> str:
    return reverse("invoices-detail", args=[invoice_id])


def reissue(invoice_id: int) -> str:
    return reverse("invoices-reissue", args=[invoice_id])


@pytest.fixture
def world():
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)
    buyer = BuyerFactory()
    order = OrderFactory(buyer=buyer, seller=seller)
    return {"seller": seller, "member": member, "buyer": buyer, "order": order}


def _issue(client, order_id: int):
    return client.post(LIST, {"order": order_id}, format="json")


# --- Issue --------------------------------------------------------------------------------------


def test_finance_issues_version_1_from_the_order(client_for, finance_user, world):
    order = world["order"]
    response = _issue(client_for(finance_user), order.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["order"] == order.pk
    assert body["number"].startswith("INV-")
    assert body["version"] == 1
    assert body["status"] == "issued"
    assert body["supersedes"] is None
    assert body["superseded_by"] is None
    assert body["issued_by"] == finance_user.pk
    assert body["currency"] == "USD"
    assert (body["subtotal"], body["shipping_fee"], body["tax"], body["discount"], body["total"]) == (
        "39.98",
        "5.00",
        "3.00",
        "0.00",
        "47.98",
    )
    item = order.items.get()
    assert body["lines"] == [
        {
            "id": body["lines"][0]["id"],
            "product": item.product_id,
            "description": item.product_name,
            "quantity": 2,
            "unit_price": "19.99",
            "line_total": "39.98",
        }
    ]
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.INVOICE_ISSUED, actor=finance_user).count() == 1
    notification = Notification.objects.get(recipient=world["buyer"])
    assert notification.kind == Kind.INVOICE_ISSUED
    assert body["number"] in notification.title


def test_the_sellers_member_may_issue_the_invoice(client_for, world):
    response = _issue(client_for(world["member"]), world["order"].pk)
    assert response.status_code == 201
    assert response.json()["issued_by"] == world["member"].pk


def test_an_order_with_a_current_invoice_is_409_and_nothing_is_written(client_for, finance_user, world):
    assert _issue(client_for(finance_user), world["order"].pk).status_code == 201
    response = _issue(client_for(finance_user), world["order"].pk)
    assert response.status_code == 409
    assert response.json()["code"] == "invoice_exists"
    assert Invoice.objects.count() == 1
    assert Notification.objects.count() == 1


def test_a_cancelled_order_cannot_be_invoiced(client_for, finance_user, world):
    order = OrderFactory(buyer=world["buyer"], seller=world["seller"], status="cancelled")
    response = _issue(client_for(finance_user), order.pk)
    assert response.status_code == 409
    assert response.json()["code"] == "order_cancelled"
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    "payload", [{}, {"order": "x"}, {"order": 1.5}, {"order": True}, {"order": -1}, {"order": 10**30}]
)
def test_issue_with_bad_input_is_400(client_for, finance_user, world, payload):
    response = client_for(finance_user).post(LIST, payload, format="json")
    assert response.status_code == 400
    assert "order" in response.json()
    assert not Invoice.objects.exists()


def test_issue_with_malformed_json_is_400(client_for, finance_user):
    response = client_for(finance_user).post(LIST, data=b'{"order": ', content_type="application/json")
    assert response.status_code == 400


def test_an_order_the_caller_may_not_see_is_400_on_order(client_for, world):
    other_member = SellerMemberFactory()
    response = _issue(client_for(other_member), world["order"].pk)
    assert response.status_code == 400
    assert list(response.json()) == ["order", "code"]
    assert not Invoice.objects.exists()


def test_the_buyer_and_support_may_not_issue_invoices(client_for, staff_user, world):
    for user in (world["buyer"], staff_user):
        response = _issue(client_for(user), world["order"].pk)
        assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_issue_without_credentials_is_401(api_client, world):
    assert _issue(api_client, world["order"].pk).status_code == 401


# --- Reissue ------------------------------------------------------------------------------------


@pytest.fixture
def issued(client_for, finance_user, world):
    response = _issue(client_for(finance_user), world["order"].pk)
    return Invoice.objects.get(pk=response.json()["id"])


def test_reissue_creates_version_2_and_keeps_the_old_one_superseded(client_for, finance_user, world, issued):
    product = world["order"].items.get().product
    payload = {
        "reason": "Wrong unit price on line 1",
        "lines": [
            {"description": "Widget", "quantity": 3, "unit_price": "10.005", "product": product.pk},
        ],
    }
    response = client_for(finance_user).post(reissue(issued.pk), payload, format="json")
    # 10.005 has three decimal places: refused at the edge.
    assert response.status_code == 400
    assert "lines" in response.json()

    payload["lines"] = [
        {"description": "Widget", "quantity": 3, "unit_price": "10.01", "product": product.pk},
        {"description": "Gift wrap", "quantity": 1, "unit_price": "2.50"},
    ]
    payload["discount"] = "1.00"
    response = client_for(finance_user).post(reissue(issued.pk), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == issued.number
    assert body["version"] == 2
    assert body["supersedes"] == issued.pk
    assert body["superseded_by"] is None
    assert body["reason"] == "Wrong unit price on line 1"
    assert body["issued_by"] == finance_user.pk
    assert body["subtotal"] == "32.53"
    assert body["shipping_fee"] == "5.00"
    assert body["tax"] == "3.00"
    assert body["discount"] == "1.00"
    assert body["total"] == "39.53"
    assert [(line["description"], line["quantity"], line["line_total"]) for line in body["lines"]] == [
        ("Widget", 3, "30.03"),
        ("Gift wrap", 1, "2.50"),
    ]
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.SUPERSEDED
    assert issued.total == Decimal("47.98")
    assert issued.lines.count() == 1
    old = client_for(finance_user).get(detail(issued.pk)).json()
    assert old["status"] == "superseded"
    assert old["superseded_by"] == body["id"]
    assert OrderEvent.objects.filter(kind=OrderEvent.Kind.INVOICE_REISSUED).count() == 1
    assert Notification.objects.filter(recipient=world["buyer"], kind=Kind.INVOICE_REISSUED).count() == 1


def test_reissue_without_lines_copies_the_old_lines(client_for, finance_user, issued):
    response = client_for(finance_user).post(
        reissue(issued.pk), {"reason": "Tax changed", "tax": "4.50"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["subtotal"] == "39.98"
    assert body["tax"] == "4.50"
    assert body["total"] == "49.48"
    assert len(body["lines"]) == 1


def test_reissuing_a_superseded_version_is_409(client_for, finance_user, issued):
    client = client_for(finance_user)
    assert client.post(reissue(issued.pk), {"reason": "first"}, format="json").status_code == 201
    response = client.post(reissue(issued.pk), {"reason": "second"}, format="json")
    assert response.status_code == 409
    assert Invoice.objects.count() == 2


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x\x00y"}, "reason"),
        ({"reason": "ok", "lines": []}, "lines"),
        ({"reason": "ok", "lines": "nope"}, "lines"),
        ({"reason": "ok", "lines": [{"description": "a", "quantity": 0, "unit_price": "1.00"}]}, "lines"),
        ({"reason": "ok", "lines": [{"description": "a", "quantity": 1, "unit_price": "-1.00"}]}, "lines"),
        ({"reason": "ok", "lines": [{"description": "a", "quantity": 1, "unit_price": "1e30"}]}, "lines"),
        ({"reason": "ok", "lines": [{"description": "a", "quantity": 1, "unit_price": "NaN"}]}, "lines"),
        (
            {"reason": "ok", "lines": [{"description": "a", "quantity": 1, "unit_price": "1", "product": 999999}]},
            "lines",
        ),
        ({"reason": "ok", "discount": "100.00"}, "discount"),
        ({"reason": "ok", "tax": "-1"}, "tax"),
    ],
)
def test_reissue_with_bad_input_is_400_and_changes_nothing(client_for, finance_user, issued, payload, field):
    response = client_for(finance_user).post(reissue(issued.pk), payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    issued.refresh_from_db()
    assert issued.status == InvoiceStatus.ISSUED
    assert Invoice.objects.count() == 1
    assert InvoiceLine.objects.count() == 1


def test_reissue_with_another_sellers_product_is_400(client_for, finance_user, issued):
    foreign = ProductFactory()
    payload = {
        "reason": "x",
        "lines": [{"description": "a", "quantity": 1, "unit_price": "1.00", "product": foreign.pk}],
    }
    response = client_for(finance_user).post(reissue(issued.pk), payload, format="json")
    assert response.status_code == 400
    assert Invoice.objects.count() == 1


def test_only_reissue_permission_holders_may_reissue(client_for, staff_user, world, issued):
    for user in (world["buyer"], world["member"], staff_user):
        response = client_for(user).post(reissue(issued.pk), {"reason": "x"}, format="json")
        assert response.status_code == 403
    assert Invoice.objects.count() == 1


def test_reissue_of_a_missing_invoice_is_404(client_for, finance_user):
    assert client_for(finance_user).post(reissue(999999), {"reason": "x"}, format="json").status_code == 404


def test_reissue_without_credentials_is_401(api_client, issued):
    assert api_client.post(reissue(issued.pk), {"reason": "x"}, format="json").status_code == 401


# --- Reads --------------------------------------------------------------------------------------


def test_buyer_and_seller_see_their_invoices_others_get_404(client_for, world, issued):
    other_buyer = BuyerFactory()
    other_member = SellerMemberFactory()
    InvoiceFactory()  # someone else's
    for user in (world["buyer"], world["member"]):
        client = client_for(user)
        assert [row["id"] for row in client.get(LIST).json()["results"]] == [issued.pk]
        assert client.get(detail(issued.pk)).status_code == 200
    for user in (other_buyer, other_member):
        client = client_for(user)
        assert client.get(LIST).json()["count"] == 0
        assert client.get(detail(issued.pk)).status_code == 404


def test_staff_see_every_invoice_and_can_filter(client_for, staff_user, issued):
    other = InvoiceFactory()
    client = client_for(staff_user)
    assert client.get(LIST).json()["count"] == 2
    assert [row["id"] for row in client.get(LIST, {"order": other.order_id}).json()["results"]] == [other.pk]
    assert [row["id"] for row in client.get(LIST, {"number": issued.number}).json()["results"]] == [issued.pk]
    assert client.get(LIST, {"status": "superseded"}).json()["count"] == 0


@pytest.mark.parametrize("params", [{"order": "abc"}, {"order": "1e99"}, {"order": 10**30}, {"status": "nope"}])
def test_bad_filters_are_400(client_for, staff_user, params):
    assert client_for(staff_user).get(LIST, params).status_code == 400


def test_invoice_list_without_credentials_is_401(api_client):
    assert api_client.get(LIST).status_code == 401


@pytest.mark.parametrize("page_size", [5, 50])
def test_invoice_list_query_count_does_not_grow_with_the_page(client_for, django_assert_num_queries, page_size):
    member = SellerMemberFactory()
    seller = member.seller_memberships.get().seller
    for _ in range(12):
        InvoiceFactory(order=OrderFactory(seller=seller))
    client = client_for(member)
    # token+user, count, page, lines prefetch
    with django_assert_num_queries(4):
        response = client.get(LIST, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, 12)


def test_a_user_with_another_role_sees_nothing(client_for, world, issued):
    moderator_free_user = UserFactory(role=Role.BUYER)
    assert client_for(moderator_free_user).get(LIST).json()["count"] == 0
