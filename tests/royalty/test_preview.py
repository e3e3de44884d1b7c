from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.periods import parse_period
from royalty.models import Attribution, Statement, StatementLine
from royalty.selectors.preview import affiliate_preview, to_next_tier
from royalty.services.generation import statements_generate
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import SellerMemberFactory
from tests.marketplace.factories_billing import PaymentFactory, RefundFactory
from tests.royalty.factories import (
    T_CLOSED,
    AffiliateFactory,
    AttributionFactory,
    CommissionRateFactory,
    PerformanceTierFactory,
    RuleSetFactory,
    SellerAffiliateFactory,
    survey_response,
)

pytestmark = pytest.mark.django_db

MID_NOVEMBER = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOVEMBER = parse_period(period="2026-11", date_from=None, date_to=None, now=T_CLOSED)


@pytest.fixture
def rules():  # type: ignore[no-untyped-def]
    ruleset = RuleSetFactory(name="Rules 2026")
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="partner", value=Decimal("10"))
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="seller", value=Decimal("2"))
    PerformanceTierFactory(ruleset=ruleset, metric="csat", min_value=Decimal("80"), multiplier=Decimal("1.05"))
    PerformanceTierFactory(ruleset=ruleset, metric="csat", min_value=Decimal("90"), multiplier=Decimal("1.10"))
    return ruleset


def partner_with_sales(satisfied: int, unsatisfied: int):  # type: ignore[no-untyped-def]
    affiliate = AffiliateFactory(name="Blue Partner")
    sales = AttributionFactory.create_batch(3, affiliate=affiliate)  # 3 x 47.98, 10 % = 14.394
    for index in range(satisfied):
        survey_response(order=sales[index % 3].order, overall=5)
    for index in range(unsatisfied):
        survey_response(order=sales[index % 3].order, overall=2)
    return affiliate, sales


def test_preview_shows_each_figure_the_tier_and_the_total(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate, _ = partner_with_sales(satisfied=15, unsatisfied=2)  # 88.24 %

    preview = affiliate_preview(affiliate=affiliate, now=MID_NOVEMBER)

    assert preview.period == "2026-11"
    assert preview.ruleset == {"id": rules.id, "name": "Rules 2026"}
    assert (preview.sales, preview.sales_amount, preview.base_commission) == (3, Decimal("143.94"), Decimal("14.39"))
    [rating, csat] = preview.figures
    assert (rating.metric, rating.value, rating.amount, rating.next_tier_min_value) == ("rating", None, 0, None)
    assert (csat.metric, csat.value, csat.tier_min_value, csat.multiplier) == (
        "csat",
        Decimal("88.24"),
        Decimal("80.00"),
        Decimal("1.0500"),
    )
    assert csat.amount == Decimal("0.72")  # 14.39 x 0.05 = 0.7195
    assert csat.next_tier_min_value == Decimal("90.00")
    assert csat.to_next_tier == (
        "CSAT % of the attributed interactions: 88.24 % → 90.00 %: 3 more satisfied answers (4 or 5) at this volume"
    )
    assert preview.total == Decimal("15.11")


def test_preview_is_what_generation_writes_when_the_month_closes(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate, sales = partner_with_sales(satisfied=9, unsatisfied=1)
    refund = RefundFactory(payment=PaymentFactory(order=sales[0].order), amount=Decimal("23.99"))
    type(refund).objects.filter(pk=refund.pk).update(created_at=datetime(2026, 11, 15, tzinfo=UTC))

    preview = affiliate_preview(affiliate=affiliate, now=MID_NOVEMBER)
    statements_generate(period=NOVEMBER, now=T_CLOSED)

    statement = Statement.objects.get(affiliate=affiliate, period="2026-11")
    assert preview.clawbacks == 1
    assert preview.clawback_amount == Decimal("-2.40")
    assert preview.total == statement.total == Decimal("13.43")  # 14.39 + 1.44 (x1.10) - 2.40 (half of 4.80)
    assert [(line.kind, line.amount) for line in preview.lines] == list(
        statement.lines.order_by("id").values_list("kind", "amount")
    )


def test_preview_writes_nothing(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate, _ = partner_with_sales(satisfied=1, unsatisfied=0)

    affiliate_preview(affiliate=affiliate, now=MID_NOVEMBER)

    assert Statement.objects.count() == 0
    assert StatementLine.objects.count() == 0
    assert Attribution.objects.count() == 3


def test_preview_without_rules_in_force_is_empty() -> None:
    affiliate, _ = partner_with_sales(satisfied=1, unsatisfied=0)

    preview = affiliate_preview(affiliate=affiliate, now=MID_NOVEMBER)

    assert (preview.ruleset, preview.sales, preview.total, preview.figures) == (None, 0, Decimal("0.00"), [])


def test_preview_query_count_does_not_grow_with_sales(rules, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    few, _ = partner_with_sales(satisfied=1, unsatisfied=0)
    many = AffiliateFactory()
    for sale in AttributionFactory.create_batch(20, affiliate=many):
        survey_response(order=sale.order, overall=5)
    with django_assert_num_queries(20) as few_queries:
        affiliate_preview(affiliate=few, now=MID_NOVEMBER)
    with django_assert_num_queries(len(few_queries.captured_queries)):
        affiliate_preview(affiliate=many, now=MID_NOVEMBER)


@pytest.mark.parametrize(
    ("metric", "value", "details", "target", "expected"),
    [
        ("rating", Decimal("4.00"), {"reviews": 10, "stars": 40}, Decimal("4.5"), "10 more 5-star reviews"),
        ("csat", None, {"responses": 0, "satisfied": 0}, Decimal("90"), "1 more satisfied answers"),
        ("response_rate", Decimal("80.00"), {"inquiries": 20}, Decimal("90"), "20 more inquiries answered"),
        ("rating", Decimal("4.00"), {"reviews": 1, "stars": 4}, Decimal("5"), "out of reach"),
    ],
)
def test_what_moves_a_figure_to_the_next_tier(metric, value, details, target, expected) -> None:  # type: ignore[no-untyped-def]
    assert expected in to_next_tier(metric, value, details, target)


def test_preview_api_is_for_the_store_members_and_finance(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate = SellerAffiliateFactory()
    member = SellerMemberFactory(seller=affiliate.seller)
    client = APIClient()
    url = f"/api/v1/affiliates/{affiliate.pk}/preview/"

    for user, status in [
        (member, 200),
        (UserFactory(role="finance"), 200),
        (AdminFactory(), 200),
        (SellerMemberFactory(), 404),
        (BuyerFactory(), 404),
        (UserFactory(role="support"), 404),
    ]:
        client.force_authenticate(user)
        assert client.get(url).status_code == status, user

    client.force_authenticate(member)
    body = client.get(url).json()
    assert (body["affiliate"], body["kind"], body["total"], body["currency"]) == (affiliate.pk, "seller", "0.00", "USD")
    assert client.get(url, {"period": "2026-11"}).status_code == 400
    assert client.get(f"/api/v1/affiliates/{affiliate.pk + 1000}/preview/").status_code == 404


def test_a_partner_user_sees_only_their_own_preview(rules) -> None:  # type: ignore[no-untyped-def]
    user = BuyerFactory()
    mine, theirs = AffiliateFactory(user=user), AffiliateFactory(user=BuyerFactory())
    client = APIClient()
    client.force_authenticate(user)

    assert client.get(f"/api/v1/affiliates/{mine.pk}/preview/").status_code == 200
    assert client.get(f"/api/v1/affiliates/{theirs.pk}/preview/").status_code == 404
