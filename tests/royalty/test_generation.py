from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import InvalidInput
from core.periods import parse_period
from royalty.models import Attribution, Statement, StatementEvent, StatementLine
from royalty.services.generation import statements_generate
from tests.marketplace.factories import OrderFactory, ProductFactory
from tests.marketplace.factories_billing import PaymentFactory, RefundFactory
from tests.reviews.factories import ReviewFactory
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

NOVEMBER = parse_period(period="2026-11", date_from=None, date_to=None, now=T_CLOSED)
DECEMBER = parse_period(period="2026-12", date_from=None, date_to=None, now=T_CLOSED)
AFTER_DECEMBER = datetime(2027, 1, 2, tzinfo=UTC)


@pytest.fixture
def rules():  # type: ignore[no-untyped-def]
    ruleset = RuleSetFactory()
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="partner", value=Decimal("10"))
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="seller", value=Decimal("2"))
    return ruleset


def lines_of(statement: Statement) -> list[tuple[str, str, Decimal]]:
    return [(line.kind, line.source_key, line.amount) for line in statement.lines.order_by("id")]


def refund(attribution: Attribution, amount: str, at: datetime):  # type: ignore[no-untyped-def]
    row = RefundFactory(payment=PaymentFactory(order=attribution.order), amount=Decimal(amount))
    type(row).objects.filter(pk=row.pk).update(created_at=at)
    row.refresh_from_db()
    return row


def test_base_commission_is_the_rate_on_the_sales_rounded_once(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate = AffiliateFactory()
    AttributionFactory.create_batch(3, affiliate=affiliate)  # 3 x 47.98 = 143.94; 10 % = 14.394

    result = statements_generate(period=NOVEMBER, now=T_CLOSED)

    statement = Statement.objects.get(affiliate=affiliate, period="2026-11")
    assert lines_of(statement) == [("base", "base:1", Decimal("14.39"))]
    assert statement.total == Decimal("14.39")
    assert statement.status == "draft"
    assert statement.lines.get().figures["sales"] == 3
    assert result.statements_created == 1
    assert result.statement_ids == [statement.id]
    assert statement.covered_through == Attribution.objects.order_by("-id").first().id
    assert statement.ruleset == rules
    assert StatementEvent.objects.get(statement=statement).kind == "generated"


def test_a_commission_on_the_cent_boundary_is_rounded_once_half_up() -> None:
    # 0.50 at 4.9999 % is 0.0249995: half-up to the cent once is 0.02. Rounded to six places
    # first (0.025000, half-even) and then to the cent it became 0.03.
    ruleset = RuleSetFactory()
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="partner", value=Decimal("4.9999"))
    affiliate = AffiliateFactory()
    order = OrderFactory(
        subtotal=Decimal("0.50"),
        shipping_fee=0,
        tax=0,
        discount=0,
        total=Decimal("0.50"),
        placed_at=datetime(2026, 11, 10, tzinfo=UTC),
        status="delivered",
    )
    AttributionFactory(affiliate=affiliate, order=order)

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    base = Statement.objects.get(affiliate=affiliate).lines.get()
    assert base.figures["commission_unrounded"] == "0.02499950"
    assert base.amount == Decimal("0.02")


def test_running_generation_twice_adds_nothing(rules) -> None:  # type: ignore[no-untyped-def]
    attribution = AttributionFactory()
    refund(attribution, "10.00", datetime(2026, 11, 20, tzinfo=UTC))
    statements_generate(period=NOVEMBER, now=T_CLOSED)
    before = list(StatementLine.objects.values_list("id", "amount"))
    events = StatementEvent.objects.count()

    again = statements_generate(period=NOVEMBER, now=T_CLOSED)

    assert again.lines_added == 0
    assert again.statements_created == 0
    assert list(StatementLine.objects.values_list("id", "amount")) == before
    assert StatementEvent.objects.count() == events


def test_a_product_rate_wins_over_a_category_rate_which_wins_over_the_default(rules) -> None:  # type: ignore[no-untyped-def]
    product = ProductFactory()
    CommissionRateFactory(ruleset=rules, affiliate_kind="partner", product=product, value=Decimal("20"))
    CommissionRateFactory(ruleset=rules, affiliate_kind="partner", category="books", value=Decimal("15"))
    CommissionRateFactory(ruleset=rules, affiliate_kind="partner", category="games", basis="flat", value=Decimal("3"))
    affiliate = AffiliateFactory()
    AttributionFactory(affiliate=affiliate, product=product, category="books")  # 20 % of 47.98 = 9.596
    AttributionFactory(affiliate=affiliate, category="books")  # 15 % = 7.197
    AttributionFactory(affiliate=affiliate, category="games")  # flat 3
    AttributionFactory(affiliate=affiliate)  # default 10 % = 4.798

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    base = Statement.objects.get().lines.get()
    assert base.figures["commission_unrounded"] == "24.59100000"
    assert base.amount == Decimal("24.59")  # rounded once, over the sum


def test_the_rating_tier_of_the_promoted_products_adds_its_multiplier(rules) -> None:  # type: ignore[no-untyped-def]
    PerformanceTierFactory(ruleset=rules, metric="rating", min_value=Decimal("4.00"), multiplier=Decimal("1.05"))
    top = PerformanceTierFactory(ruleset=rules, metric="rating", min_value=Decimal("4.50"), multiplier=Decimal("1.10"))
    product = ProductFactory()
    affiliate = AffiliateFactory()
    AttributionFactory.create_batch(2, affiliate=affiliate, product=product)  # base 9.596 -> 9.60
    ReviewFactory(product=product, rating=5, created_at=datetime(2026, 11, 3, tzinfo=UTC))
    ReviewFactory(product=product, rating=4, created_at=datetime(2026, 11, 4, tzinfo=UTC))
    ReviewFactory(product=product, rating=1, created_at=datetime(2026, 10, 4, tzinfo=UTC))  # October: not counted
    ReviewFactory(product=product, rating=1, status="hidden", created_at=datetime(2026, 11, 5, tzinfo=UTC))

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    statement = Statement.objects.get()
    assert lines_of(statement) == [
        ("base", "base:1", Decimal("9.60")),
        ("performance", "performance:rating:1", Decimal("0.96")),
    ]
    performance = statement.lines.get(kind="performance")
    assert performance.figures["value"] == "4.50"
    assert performance.figures["reviews"] == 2
    assert performance.figures["tier"]["id"] == top.id
    assert statement.total == Decimal("10.56")


def test_the_csat_tier_of_the_attributed_orders_can_be_a_penalty(rules) -> None:  # type: ignore[no-untyped-def]
    PerformanceTierFactory(ruleset=rules, metric="csat", min_value=Decimal("0"), multiplier=Decimal("0.90"))
    PerformanceTierFactory(ruleset=rules, metric="csat", min_value=Decimal("90"), multiplier=Decimal("1.00"))
    affiliate = AffiliateFactory()
    first, second = AttributionFactory.create_batch(2, affiliate=affiliate)  # base 9.60
    survey_response(order=first.order, overall=5)
    survey_response(order=second.order, overall=2)
    survey_response(order=OrderFactory(), overall=1)  # not attributed to it

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    statement = Statement.objects.get()
    performance = statement.lines.get(kind="performance")
    assert performance.amount == Decimal("-0.96")
    assert (performance.figures["responses"], performance.figures["satisfied"]) == (2, 1)
    assert performance.figures["value"] == "50.00"
    assert statement.total == Decimal("8.64")


def test_a_seller_affiliate_reads_its_store_rating(rules) -> None:  # type: ignore[no-untyped-def]
    PerformanceTierFactory(
        ruleset=rules, metric="rating", min_value=Decimal("3"), multiplier=Decimal("1.5"), applies_to=["seller"]
    )
    PerformanceTierFactory(
        ruleset=rules, metric="rating", min_value=Decimal("3"), multiplier=Decimal("3"), applies_to=["partner"]
    )
    affiliate = SellerAffiliateFactory()
    order = OrderFactory(seller=affiliate.seller, placed_at=datetime(2026, 11, 5, tzinfo=UTC))
    AttributionFactory(affiliate=affiliate, order=order)  # 2 % of 47.98 = 0.9596 -> 0.96
    ReviewFactory(
        product=ProductFactory(seller=affiliate.seller), rating=4, created_at=datetime(2026, 11, 3, tzinfo=UTC)
    )

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    assert lines_of(Statement.objects.get()) == [
        ("base", "base:1", Decimal("0.96")),
        ("performance", "performance:rating:1", Decimal("0.48")),
    ]


def test_a_refund_claws_back_its_share_of_the_commission(rules) -> None:  # type: ignore[no-untyped-def]
    attribution = AttributionFactory()  # commission 4.798 -> 4.80
    made = refund(attribution, "23.99", datetime(2026, 11, 20, tzinfo=UTC))  # half

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    statement = Statement.objects.get()
    assert lines_of(statement) == [
        ("base", "base:1", Decimal("4.80")),
        ("clawback", f"clawback:{made.id}", Decimal("-2.40")),
    ]
    assert statement.total == Decimal("2.40")


def test_a_refund_after_the_statement_was_paid_lands_in_the_next_period(rules, finance_user) -> None:  # type: ignore[no-untyped-def]
    attribution = AttributionFactory()
    statements_generate(period=NOVEMBER, now=T_CLOSED)
    november = Statement.objects.get()
    Statement.objects.filter(pk=november.pk).update(status="approved", approved_at=T_CLOSED, approved_by=finance_user)
    made = refund(attribution, "47.98", datetime(2026, 12, 5, tzinfo=UTC))

    statements_generate(period=NOVEMBER, now=AFTER_DECEMBER)
    assert lines_of(november) == [("base", "base:1", Decimal("4.80"))]
    statements_generate(period=DECEMBER, now=AFTER_DECEMBER)

    november.refresh_from_db()
    assert november.total == Decimal("4.80")
    assert lines_of(november) == [("base", "base:1", Decimal("4.80"))]
    december = Statement.objects.get(period="2026-12")
    assert lines_of(december) == [("clawback", f"clawback:{made.id}", Decimal("-4.80"))]
    assert december.total == Decimal("-4.80")


def test_a_sale_attributed_after_approval_is_paid_by_the_next_statement(rules, finance_user) -> None:  # type: ignore[no-untyped-def]
    affiliate = AffiliateFactory()
    AttributionFactory(affiliate=affiliate)
    statements_generate(period=NOVEMBER, now=T_CLOSED)
    Statement.objects.update(status="approved", approved_at=T_CLOSED, approved_by=finance_user)
    late = AttributionFactory(affiliate=affiliate)  # sold in November, attributed after approval

    statements_generate(period=DECEMBER, now=AFTER_DECEMBER)

    december = Statement.objects.get(period="2026-12")
    assert december.lines.get().figures["sales"] == 1
    assert december.covered_through == late.id
    assert Statement.objects.get(period="2026-11").total == Decimal("4.80")
    assert Statement.objects.get(period="2026-12").total == Decimal("4.80")


def test_a_late_sale_on_a_draft_adds_a_correcting_base_line(rules) -> None:  # type: ignore[no-untyped-def]
    PerformanceTierFactory(ruleset=rules, metric="csat", min_value=Decimal("0"), multiplier=Decimal("1.5"))
    affiliate = AffiliateFactory()
    first = AttributionFactory(affiliate=affiliate)
    survey_response(order=first.order, overall=5)
    statements_generate(period=NOVEMBER, now=T_CLOSED)
    AttributionFactory(affiliate=affiliate)

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    statement = Statement.objects.get()
    assert lines_of(statement) == [
        ("base", "base:1", Decimal("4.80")),
        ("performance", "performance:csat:1", Decimal("2.40")),
        ("base", "base:2", Decimal("4.80")),
        ("performance", "performance:csat:2", Decimal("2.40")),
    ]
    assert statement.total == Decimal("14.40")


def test_an_open_period_or_one_without_rules_is_refused() -> None:
    AttributionFactory()
    with pytest.raises(InvalidInput) as no_rules:
        statements_generate(period=NOVEMBER, now=T_CLOSED)
    assert (no_rules.value.field, no_rules.value.code) == ("period", "no_rules")
    RuleSetFactory()
    with pytest.raises(InvalidInput) as still_open:
        statements_generate(period=NOVEMBER, now=datetime(2026, 11, 30, tzinfo=UTC))
    assert (still_open.value.field, still_open.value.code) == ("period", "period_open")
    assert not Statement.objects.exists()


def test_the_rule_set_in_force_at_the_period_start_applies(rules) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    rules.valid_to = date(2026, 11, 1)
    rules.save()
    newer = RuleSetFactory(valid_from=date(2026, 11, 1))
    CommissionRateFactory(ruleset=newer, affiliate_kind="partner", value=Decimal("50"))
    AttributionFactory()

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    line = StatementLine.objects.get()
    assert line.amount == Decimal("23.99")
    assert line.figures["ruleset"]["id"] == newer.id


def _generation_queries(affiliates: int, *, month: int, now: datetime) -> int:
    period = parse_period(period=f"2026-{month:02d}", date_from=None, date_to=None, now=now)
    at = datetime(2026, month, 10, tzinfo=UTC)
    for _ in range(affiliates):
        attribution = AttributionFactory(
            product=ProductFactory(), order=OrderFactory(placed_at=at, status="delivered"), sold_at=at
        )
        ReviewFactory(product=attribution.product, rating=5, created_at=at)
        survey_response(order=attribution.order, overall=5, at=at)
        refund(attribution, "1.00", at)
    with CaptureQueriesContext(connection) as queries:
        statements_generate(period=period, now=now)
    assert StatementLine.objects.filter(statement__period=period.label).count() == 4 * affiliates
    return len(queries)


def test_generation_makes_the_same_number_of_queries_for_2_and_8_affiliates() -> None:
    ruleset = RuleSetFactory()
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="partner", value=Decimal("10"))
    PerformanceTierFactory(ruleset=ruleset, metric="rating", min_value=Decimal("1"), multiplier=Decimal("1.1"))
    PerformanceTierFactory(ruleset=ruleset, metric="csat", min_value=Decimal("1"), multiplier=Decimal("1.1"))

    small = _generation_queries(2, month=10, now=T_CLOSED)
    large = _generation_queries(8, month=11, now=T_CLOSED)

    assert small == large


def test_the_sweep_generates_the_last_closed_month_once_it_has_settled(rules) -> None:  # type: ignore[no-untyped-def]
    from core.sweeps import sweep_run

    AttributionFactory()
    assert sweep_run("royalty_statements", now=datetime(2026, 12, 1, 12, tzinfo=UTC))["period"] == "2026-10"
    assert not Statement.objects.filter(period="2026-11").exists()

    summary = sweep_run("royalty_statements", now=datetime(2026, 12, 2, 2, 15, tzinfo=UTC))
    again = sweep_run("royalty_statements", now=datetime(2026, 12, 3, 2, 15, tzinfo=UTC))

    assert summary == {"period": "2026-11", "statements": 1, "created": 1, "lines": 1}
    assert again == {"period": "2026-11", "statements": 1, "created": 0, "lines": 0}


def test_a_quarter_overlapping_generated_months_is_refused(rules) -> None:  # type: ignore[no-untyped-def]
    from core.exceptions import StateConflict

    AttributionFactory()
    statements_generate(period=NOVEMBER, now=T_CLOSED)
    quarter = parse_period(period="2026-Q4", date_from=None, date_to=None, now=AFTER_DECEMBER)

    with pytest.raises(StateConflict) as refused:
        statements_generate(period=quarter, now=AFTER_DECEMBER)

    assert refused.value.code == "overlapping_period"
    assert list(Statement.objects.values_list("period", flat=True)) == ["2026-11"]


def test_a_seller_under_a_standing_penalty_earns_no_bonus_but_keeps_its_penalties(rules) -> None:  # type: ignore[no-untyped-def]
    from tests.inquiries.factories import SellerStandingFactory

    PerformanceTierFactory(ruleset=rules, metric="rating", min_value=Decimal("4"), multiplier=Decimal("1.5"))
    PerformanceTierFactory(ruleset=rules, metric="csat", min_value=Decimal("0"), multiplier=Decimal("0.5"))
    penalised, good = SellerAffiliateFactory(), SellerAffiliateFactory()
    SellerStandingFactory(seller=penalised.seller, period="2026-Q3", level="penalty")
    SellerStandingFactory(seller=good.seller, period="2026-Q3", level="responsive")
    for affiliate in (penalised, good):
        order = OrderFactory(seller=affiliate.seller, placed_at=datetime(2026, 11, 5, tzinfo=UTC))
        AttributionFactory(affiliate=affiliate, order=order, amount=Decimal("500.00"))  # 2 %: 10.00
        ReviewFactory(
            product=ProductFactory(seller=affiliate.seller), rating=5, created_at=datetime(2026, 11, 3, tzinfo=UTC)
        )
        survey_response(order=order, overall=1)

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    def performance(affiliate) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
        lines = StatementLine.objects.filter(statement__affiliate=affiliate, kind="performance")
        return {line.figures["metric"]: line.amount for line in lines}

    assert performance(penalised) == {"rating": Decimal("0.00"), "csat": Decimal("-5.00")}
    assert performance(good) == {"rating": Decimal("5.00"), "csat": Decimal("-5.00")}
    capped = StatementLine.objects.get(statement__affiliate=penalised, kind="performance", figures__metric="rating")
    assert (capped.figures["standing"], capped.figures["capped_by_standing"]) == ("penalty", True)


def test_an_affiliate_that_signs_in_is_told_its_new_statement_is_ready(  # type: ignore[no-untyped-def]
    rules, django_capture_on_commit_callbacks
) -> None:
    from notifications.models import Notification
    from tests.accounts.factories import BuyerFactory

    partner = BuyerFactory()
    AttributionFactory(affiliate=AffiliateFactory(user=partner))
    AttributionFactory()  # an affiliate nobody signs in as

    with django_capture_on_commit_callbacks(execute=True):
        statements_generate(period=NOVEMBER, now=T_CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        statements_generate(period=NOVEMBER, now=T_CLOSED)

    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind) == (partner, "statement_ready")
    assert notice.title == "Your royalty statement for 2026-11 is ready: 4.80 USD"
