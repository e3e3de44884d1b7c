from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from accounts.models import Role
from royalty.models import Adjustment, Affiliate, Attribution, Statement, StatementLine
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, SellerMemberFactory
from tests.royalty.factories import (
    T_CLOSED,
    AffiliateFactory,
    AttributionFactory,
    CommissionRateFactory,
    RuleSetFactory,
    SellerAffiliateFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(finance_user, client_for):  # type: ignore[no-untyped-def]
    return client_for(finance_user)


@pytest.fixture
def other_finance(client_for):  # type: ignore[no-untyped-def]
    return client_for(UserFactory(username="finance2", role=Role.FINANCE))


def test_finance_adds_a_partner(finance) -> None:  # type: ignore[no-untyped-def]
    response = finance.post("/api/v1/affiliates/", {"name": "Blog Partner", "kind": "partner"}, format="json")

    assert response.status_code == 201
    assert response.json()["name"] == "Blog Partner"
    assert Affiliate.objects.get().kind == "partner"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A store", "kind": "seller"}, "seller"),
        ({"name": "", "kind": "partner"}, "name"),
        ({"name": "X", "kind": "influencer"}, "kind"),
        ({"name": "X", "kind": "partner", "user": 999999}, "user"),
        ({"name": "X", "kind": "partner", "currency": "JPY"}, "currency"),
    ],
)
def test_a_bad_affiliate_is_a_400_naming_the_field(finance, body, field) -> None:  # type: ignore[no-untyped-def]
    response = finance.post("/api/v1/affiliates/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Affiliate.objects.exists()


def test_a_store_is_one_affiliate(finance) -> None:  # type: ignore[no-untyped-def]
    affiliate = SellerAffiliateFactory()

    response = finance.post(
        "/api/v1/affiliates/", {"name": "Again", "kind": "seller", "seller": affiliate.seller_id}, format="json"
    )

    assert response.status_code == 409
    assert Affiliate.objects.count() == 1


def test_support_reads_affiliates_but_cannot_add_one(staff_user, client_for) -> None:  # type: ignore[no-untyped-def]
    AffiliateFactory()
    client = client_for(staff_user)

    assert client.get("/api/v1/affiliates/").json()["count"] == 1
    assert client.post("/api/v1/affiliates/", {"name": "X", "kind": "partner"}, format="json").status_code == 403


def test_finance_attributes_a_sale_with_the_orders_amount(finance) -> None:  # type: ignore[no-untyped-def]
    affiliate = AffiliateFactory()
    order = OrderFactory(placed_at=datetime(2026, 11, 5, tzinfo=UTC))

    response = finance.post(f"/api/v1/affiliates/{affiliate.pk}/attributions/", {"order": order.pk}, format="json")

    assert response.status_code == 201
    attribution = Attribution.objects.get()
    assert (attribution.amount, attribution.currency, attribution.sold_at) == (
        Decimal("47.98"),
        "USD",
        datetime(2026, 11, 5, tzinfo=UTC),
    )


def test_a_sale_is_attributed_once(finance) -> None:  # type: ignore[no-untyped-def]
    attribution = AttributionFactory()
    other = AffiliateFactory()

    response = finance.post(
        f"/api/v1/affiliates/{other.pk}/attributions/", {"order": attribution.order_id}, format="json"
    )

    assert response.status_code == 409
    assert Attribution.objects.get().affiliate_id == attribution.affiliate_id


@pytest.mark.parametrize("order", [999999, "abc", None])
def test_attributing_an_unknown_order_is_a_400_on_order(finance, order) -> None:  # type: ignore[no-untyped-def]
    affiliate = AffiliateFactory()

    response = finance.post(f"/api/v1/affiliates/{affiliate.pk}/attributions/", {"order": order}, format="json")

    assert response.status_code == 400
    assert "order" in response.json()


def test_an_order_in_another_currency_is_refused(finance) -> None:  # type: ignore[no-untyped-def]
    affiliate = AffiliateFactory(currency="EUR")

    response = finance.post(
        f"/api/v1/affiliates/{affiliate.pk}/attributions/", {"order": OrderFactory().pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "currency"
    assert not Attribution.objects.exists()


@time_machine.travel(T_CLOSED, tick=False)
def test_finance_generates_a_period_and_gets_its_statements(finance) -> None:  # type: ignore[no-untyped-def]
    CommissionRateFactory(ruleset=RuleSetFactory(), value=Decimal("10"))
    attribution = AttributionFactory()

    response = finance.post("/api/v1/royalty-statements/generate/", {"period": "2026-11"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["statements_created"], body["lines_added"]) == ("2026-11", 1, 1)
    assert [(s["affiliate"]["id"], s["total"]) for s in body["statements"]] == [(attribution.affiliate_id, "4.80")]
    again = finance.post("/api/v1/royalty-statements/generate/", {"period": "2026-11"}, format="json").json()
    assert (again["statements_created"], again["lines_added"]) == (0, 0)


@time_machine.travel(T_CLOSED, tick=False)
@pytest.mark.parametrize("period", ["", "2026-13", "November", "2026-12"])
def test_generating_a_bad_or_open_period_is_a_400_on_period(finance, period) -> None:  # type: ignore[no-untyped-def]
    RuleSetFactory()
    AttributionFactory()

    response = finance.post("/api/v1/royalty-statements/generate/", {"period": period}, format="json")

    assert response.status_code == 400
    assert "period" in response.json()
    assert not Statement.objects.exists()


def test_a_seller_cannot_generate(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(SellerMemberFactory())

    assert client.post("/api/v1/royalty-statements/generate/", {"period": "2026-11"}, format="json").status_code == 403


def test_an_affiliate_sees_only_its_own_statements(client_for) -> None:  # type: ignore[no-untyped-def]
    partner_user = BuyerFactory()
    own = StatementFactory(affiliate=AffiliateFactory(user=partner_user))
    StatementFactory(affiliate=AffiliateFactory(), period="2026-11")
    member = SellerMemberFactory()
    store_statement = StatementFactory(affiliate=SellerAffiliateFactory(seller=member.sellers.get()))

    mine = client_for(partner_user).get("/api/v1/royalty-statements/", {"period": "2026-11"}).json()
    store = client_for(member).get("/api/v1/royalty-statements/").json()

    assert [row["id"] for row in mine["results"]] == [own.pk]
    assert [row["id"] for row in store["results"]] == [store_statement.pk]
    assert client_for(partner_user).get(f"/api/v1/royalty-statements/{store_statement.pk}/").status_code == 404
    assert (
        client_for(member)
        .post(
            f"/api/v1/royalty-statements/{store_statement.pk}/adjustments/",
            {"amount": "5.00", "reason": "Bonus"},
            format="json",
        )
        .status_code
        == 403
    )


@pytest.mark.parametrize(("params", "field"), [({"period": "2026-14"}, "period"), ({"stauts": "draft"}, "stauts")])
def test_a_bad_list_parameter_is_a_400_naming_it(finance, params, field) -> None:  # type: ignore[no-untyped-def]
    response = finance.get("/api/v1/royalty-statements/", params)

    assert response.status_code == 400
    assert field in response.json()


def test_the_statement_list_makes_a_constant_number_of_queries(  # type: ignore[no-untyped-def]
    finance, django_assert_max_num_queries
) -> None:
    StatementFactory.create_batch(3)
    with django_assert_max_num_queries(8) as few:
        assert finance.get("/api/v1/royalty-statements/").json()["count"] == 3
    StatementFactory.create_batch(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert finance.get("/api/v1/royalty-statements/").json()["count"] == 15


def test_the_statement_page_shows_every_line(finance, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    statement = StatementFactory()
    for amount in ("5.00", "-2.00", "3.00"):
        finance.post(
            f"/api/v1/royalty-statements/{statement.pk}/adjustments/", {"amount": amount, "reason": "x"}, format="json"
        )

    with django_assert_max_num_queries(9):
        body = finance.get(f"/api/v1/royalty-statements/{statement.pk}/").json()

    assert [line["amount"] for line in body["lines"]] == ["5.00", "-2.00", "3.00"]
    assert body["total"] == "6.00"


def test_an_adjustment_is_a_line_and_changes_the_total(finance, finance_user) -> None:  # type: ignore[no-untyped-def]
    statement = StatementFactory()

    response = finance.post(
        f"/api/v1/royalty-statements/{statement.pk}/adjustments/",
        {"amount": "12.50", "reason": "Missed sale in October", "reason_code": "correction"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "applied"
    line = StatementLine.objects.get()
    assert (line.kind, line.amount, line.reason_code, line.author) == (
        "adjustment",
        Decimal("12.50"),
        "correction",
        finance_user,
    )
    statement.refresh_from_db()
    assert statement.total == Decimal("12.50")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0", "reason": "x"}, "amount"),
        ({"amount": "1.234", "reason": "x"}, "amount"),
        ({"amount": "abc", "reason": "x"}, "amount"),
        ({"amount": "1.00", "reason": ""}, "reason"),
        ({"amount": "1.00", "reason": "x", "reason_code": "whim"}, "reason_code"),
    ],
)
def test_a_bad_adjustment_is_a_400_and_changes_nothing(finance, body, field) -> None:  # type: ignore[no-untyped-def]
    statement = StatementFactory()

    response = finance.post(f"/api/v1/royalty-statements/{statement.pk}/adjustments/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not StatementLine.objects.exists()
    assert not Adjustment.objects.exists()


def test_an_approved_statement_refuses_an_adjustment_with_409(finance, finance_user) -> None:  # type: ignore[no-untyped-def]
    statement = StatementFactory(status="approved", approved_by=finance_user, approved_at=T_CLOSED)

    response = finance.post(
        f"/api/v1/royalty-statements/{statement.pk}/adjustments/", {"amount": "1.00", "reason": "x"}, format="json"
    )

    assert response.status_code == 409
    assert not StatementLine.objects.exists()
    assert finance.post(f"/api/v1/royalty-statements/{statement.pk}/approve/").status_code == 409


def test_a_large_adjustment_waits_for_another_finance_user(finance, other_finance) -> None:  # type: ignore[no-untyped-def]
    statement = StatementFactory()

    pending = finance.post(
        f"/api/v1/royalty-statements/{statement.pk}/adjustments/",
        {"amount": "900.00", "reason": "Launch"},
        format="json",
    ).json()

    assert pending["status"] == "pending"
    assert not StatementLine.objects.exists()
    assert finance.post(f"/api/v1/royalty-statements/{statement.pk}/approve/").status_code == 409
    assert finance.post(f"/api/v1/royalty-adjustments/{pending['id']}/approve/").status_code == 403
    assert not StatementLine.objects.exists()
    approved = other_finance.post(f"/api/v1/royalty-adjustments/{pending['id']}/approve/")
    assert approved.status_code == 200
    assert approved.json()["status"] == "applied"
    statement.refresh_from_db()
    assert statement.total == Decimal("900.00")
    assert other_finance.post(f"/api/v1/royalty-adjustments/{pending['id']}/reject/").status_code == 409


def test_a_large_statement_is_approved_by_two_different_people(finance, other_finance, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROYALTY_APPROVAL_TWO_PERSON_ABOVE = Decimal("100.00")
    statement = StatementFactory()
    finance.post(
        f"/api/v1/royalty-statements/{statement.pk}/adjustments/", {"amount": "150.00", "reason": "x"}, format="json"
    )

    first = finance.post(f"/api/v1/royalty-statements/{statement.pk}/approve/")
    assert (first.status_code, first.json()["status"]) == (200, "draft")
    assert finance.post(f"/api/v1/royalty-statements/{statement.pk}/approve/").status_code == 403
    second = other_finance.post(f"/api/v1/royalty-statements/{statement.pk}/approve/")

    assert (second.status_code, second.json()["status"]) == (200, "approved")
    statement.refresh_from_db()
    assert statement.approved_by.username == "finance1"
    assert statement.second_approver.username == "finance2"


def test_approved_statements_are_paid_in_a_batch_and_exported(finance, other_finance) -> None:  # type: ignore[no-untyped-def]
    first = StatementFactory(affiliate=AffiliateFactory(name="Alpha"))
    second = StatementFactory(affiliate=AffiliateFactory(name="=Beta"))
    draft = StatementFactory()
    for statement, amount in ((first, "10.00"), (second, "2.50")):
        finance.post(
            f"/api/v1/royalty-statements/{statement.pk}/adjustments/", {"amount": amount, "reason": "x"}, format="json"
        )
        finance.post(f"/api/v1/royalty-statements/{statement.pk}/approve/")

    refused = finance.post("/api/v1/royalty-statements/mark-paid/", {"statements": [first.pk, draft.pk]}, format="json")
    assert refused.status_code == 409
    assert Statement.objects.get(pk=first.pk).status == "approved"

    paid = finance.post("/api/v1/royalty-statements/mark-paid/", {"statements": [first.pk, second.pk]}, format="json")
    assert paid.status_code == 201
    batch = paid.json()
    assert (batch["total"], batch["statements_count"]) == ("12.50", 2)
    assert set(Statement.objects.filter(status="paid").values_list("pk", flat=True)) == {first.pk, second.pk}
    export = finance.get(f"/api/v1/payout-batches/{batch['id']}/export/")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    rows = export.content.decode().splitlines()
    assert rows[0].startswith("statement,affiliate,affiliate_name")
    assert [row.split(",")[2] for row in rows[1:]] == ["'=Beta", "Alpha"]
    late = finance.post(
        f"/api/v1/royalty-statements/{first.pk}/adjustments/", {"amount": "1", "reason": "x"}, format="json"
    )
    assert late.status_code == 409
