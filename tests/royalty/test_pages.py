from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from royalty.models import StatementLine
from royalty.services.generation import statements_generate
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, SellerMemberFactory
from tests.royalty.factories import (
    T_CLOSED,
    AffiliateFactory,
    AttributionFactory,
    CommissionRateFactory,
    PerformanceTierFactory,
    RuleSetFactory,
    SellerAffiliateFactory,
    StatementFactory,
    survey_response,
)
from tests.royalty.test_preview import NOVEMBER

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules():  # type: ignore[no-untyped-def]
    ruleset = RuleSetFactory(name="Rules 2026")
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="partner", value=Decimal("10"))
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="seller", value=Decimal("2"))
    PerformanceTierFactory(ruleset=ruleset, metric="csat", min_value=Decimal("90"), multiplier=Decimal("1.10"))
    return ruleset


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_store_member_sees_the_stores_statements_preview_and_visibility(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate = SellerAffiliateFactory(name="Corner Shop")
    member = SellerMemberFactory(seller=affiliate.seller)
    AttributionFactory(
        affiliate=affiliate, order=OrderFactory(seller=affiliate.seller, placed_at=datetime(2026, 11, 3, tzinfo=UTC))
    )
    statements_generate(period=NOVEMBER, now=T_CLOSED)

    page = client_for(member).get("/seller/royalty/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "Corner Shop" in body
    assert "2026-11" in body
    assert "Visibility score" in body
    assert "This month so far" in body
    assert 'href="/seller/royalty/" aria-current="page">Royalty</a>' in body  # the seller dashboard's tab
    assert page.context["statements"][0]["statement"].total == Decimal("0.96")  # 2 % of 47.98


def test_the_statement_page_explains_every_line(rules) -> None:  # type: ignore[no-untyped-def]
    user = BuyerFactory()
    affiliate = AffiliateFactory(user=user, name="Blue Partner")
    sales = AttributionFactory.create_batch(2, affiliate=affiliate)
    for sale in sales:
        survey_response(order=sale.order, overall=5)
    result = statements_generate(period=NOVEMBER, now=T_CLOSED)
    [statement_id] = result.statement_ids

    page = client_for(user).get(f"/royalty/statements/{statement_id}/")

    assert page.status_code == 200
    body = page.content.decode()
    lines = StatementLine.objects.filter(statement_id=statement_id)
    assert lines.count() == 2  # base 9.60, CSAT 100 % x1.10: 0.96
    for line in lines:
        assert line.description in body
    assert "Tier reached" in body and "from 90.00, x1.1000" in body
    assert "10.56" in body


def test_a_partner_user_lands_on_their_royalty_page(rules) -> None:  # type: ignore[no-untyped-def]
    user = BuyerFactory()
    AffiliateFactory(user=user, name="Blue Partner")

    page = client_for(user).get("/royalty/")

    assert page.status_code == 200
    assert "Blue Partner" in page.content.decode()
    assert "No statement yet" in page.content.decode()


def test_pages_of_someone_elses_affiliate_are_404(rules) -> None:  # type: ignore[no-untyped-def]
    statement = StatementFactory(affiliate=SellerAffiliateFactory())
    other_member = SellerMemberFactory()
    finance = UserFactory(role="finance")

    not_affiliate = client_for(other_member).get("/seller/royalty/")
    assert not_affiliate.status_code == 200
    assert "is not a royalty affiliate" in not_affiliate.content.decode()
    assert client_for(other_member).get(f"/royalty/statements/{statement.pk}/").status_code == 404
    assert client_for(finance).get(f"/royalty/statements/{statement.pk}/").status_code == 404
    assert client_for(BuyerFactory()).get("/royalty/").status_code == 404
    assert client_for(BuyerFactory()).get("/royalty/?affiliate=abc").status_code == 404


def test_the_statements_list_makes_the_same_statements_for_one_or_many(rules) -> None:  # type: ignore[no-untyped-def]
    user = BuyerFactory()
    affiliate = AffiliateFactory(user=user)
    StatementFactory(affiliate=affiliate, period="2026-09")
    client = client_for(user)
    client.get("/royalty/")  # warm the session and the caches
    one = page_statements(client)
    for period in ("2026-10", "2026-11"):
        StatementFactory(affiliate=affiliate, period=period)

    assert page_statements(client) == one


def page_statements(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/royalty/").status_code == 200
    return len(queries.captured_queries)
