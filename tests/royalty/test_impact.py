import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from royalty.selectors.impact import impact_report
from royalty.services.generation import statements_generate
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory
from tests.reviews.factories import ReviewFactory
from tests.royalty.factories import (
    T_CLOSED,
    T_SALE,
    AffiliateFactory,
    AttributionFactory,
    CommissionRateFactory,
    RuleSetFactory,
    SellerAffiliateFactory,
    survey_response,
)
from tests.royalty.test_preview import NOVEMBER

pytestmark = pytest.mark.django_db
URL = "/admin/royalty/statement/impact/"


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    ruleset = RuleSetFactory()
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="partner", value=Decimal("10"))
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="seller", value=Decimal("2"))
    partner = AffiliateFactory(name="Alpha Partner")
    product = ProductFactory()
    sale = AttributionFactory(affiliate=partner, product=product)  # 47.98
    ReviewFactory(product=product, rating=4, created_at=T_SALE)
    ReviewFactory(product=product, rating=5, created_at=T_SALE)
    survey_response(order=sale.order, overall=5)
    survey_response(order=sale.order, overall=2)
    store = SellerAffiliateFactory(name="Beta Store")
    for _ in range(3):
        AttributionFactory(affiliate=store, order=OrderFactory(seller=store.seller, placed_at=T_SALE))
    AffiliateFactory(name="Gamma Idle")
    statements_generate(period=NOVEMBER, now=T_CLOSED)
    return partner, store


def test_each_affiliate_has_its_figures_beside_its_earnings(world) -> None:  # type: ignore[no-untyped-def]
    rows = {row.name: row for row in impact_report(period=NOVEMBER, now=T_CLOSED)}

    alpha = rows["Alpha Partner"]
    assert (alpha.sales, alpha.sales_amount, alpha.rating, alpha.reviews) == (1, Decimal("47.98"), Decimal("4.50"), 2)
    assert (alpha.csat, alpha.csat_responses, alpha.response_rate, alpha.earnings) == (
        Decimal("50.00"),
        2,
        None,
        Decimal("4.80"),
    )
    beta = rows["Beta Store"]
    assert (beta.kind, beta.sales, beta.earnings, beta.status, beta.rating) == (
        "seller",
        3,
        Decimal("2.88"),
        "draft",
        None,
    )
    gamma = rows["Gamma Idle"]
    assert (gamma.sales, gamma.earnings, gamma.statement_id) == (0, None, None)


def test_the_report_sorts_by_any_column_with_missing_figures_last(world) -> None:  # type: ignore[no-untyped-def]
    by_earnings = [row.name for row in impact_report(period=NOVEMBER, now=T_CLOSED, sort="-earnings")]
    by_rating = [row.name for row in impact_report(period=NOVEMBER, now=T_CLOSED, sort="rating")]
    by_name = [row.name for row in impact_report(period=NOVEMBER, now=T_CLOSED, sort="-name")]

    assert by_earnings == ["Alpha Partner", "Beta Store", "Gamma Idle"]
    assert by_rating == ["Alpha Partner", "Beta Store", "Gamma Idle"]
    assert by_name == ["Gamma Idle", "Beta Store", "Alpha Partner"]


def test_the_report_makes_the_same_statements_for_few_or_many_affiliates(world, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    # SQLite reads the response times for the medians PostgreSQL computes (one statement more).
    with django_assert_num_queries(11 if connection.vendor == "postgresql" else 12) as few:
        impact_report(period=NOVEMBER, now=T_CLOSED)
    for index in range(5):
        AttributionFactory(affiliate=AffiliateFactory(name=f"More {index}"))
        store = SellerAffiliateFactory()
        AttributionFactory(affiliate=store, order=OrderFactory(seller=store.seller, placed_at=T_SALE))
    with django_assert_num_queries(len(few.captured_queries)):
        impact_report(period=NOVEMBER, now=T_CLOSED)


def console(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_console_page_and_its_csv(world) -> None:  # type: ignore[no-untyped-def]
    client = console(UserFactory(role="support"))

    page = client.get(URL, {"period": "2026-11", "sort": "csat"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Alpha Partner" in body and "4.50 ★" in body and "2.88 USD" in body

    export = client.get(URL, {"period": "2026-11", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["affiliate_id", "affiliate", "kind"]
    assert [row[1] for row in rows[1:]] == ["Alpha Partner", "Beta Store", "Gamma Idle"]
    assert rows[1][12] == "4.80"


def test_a_bad_period_is_said_on_the_page(world) -> None:  # type: ignore[no-untyped-def]
    page = console(AdminFactory()).get(URL, {"period": "2026-13"})

    assert page.status_code == 400
    assert "errornote" in page.content.decode()


def test_only_staff_who_read_statements_see_the_report(world) -> None:  # type: ignore[no-untyped-def]
    assert console(UserFactory(role="integration")).get(URL).status_code == 403
    assert console(BuyerFactory()).get(URL).status_code == 302  # to the console's login
    assert console(UserFactory(role="finance")).get(URL).status_code == 200
