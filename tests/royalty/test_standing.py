"""The seller standing decided for the quarter before a statement's period moves its tiers."""

from decimal import Decimal

import pytest

from royalty.models import Statement
from royalty.selectors.preview import affiliate_preview
from royalty.services.generation import statements_generate
from tests.inquiries.factories import SellerStandingFactory
from tests.marketplace.factories import OrderFactory
from tests.royalty.factories import (
    T_CLOSED,
    T_SALE,
    AttributionFactory,
    CommissionRateFactory,
    PerformanceTierFactory,
    RuleSetFactory,
    SellerAffiliateFactory,
    survey_response,
)
from tests.royalty.test_preview import MID_NOVEMBER, NOVEMBER

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules():  # type: ignore[no-untyped-def]
    ruleset = RuleSetFactory()
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="seller", value=Decimal("10"))
    PerformanceTierFactory(ruleset=ruleset, metric="csat", min_value=Decimal("80"), multiplier=Decimal("1.05"))
    PerformanceTierFactory(ruleset=ruleset, metric="csat", min_value=Decimal("90"), multiplier=Decimal("1.10"))
    return ruleset


def store_with_csat(satisfied: int, unsatisfied: int, *, level: str | None, overridden: str = ""):  # type: ignore[no-untyped-def]
    affiliate = SellerAffiliateFactory()
    sale = AttributionFactory(affiliate=affiliate, order=OrderFactory(seller=affiliate.seller, placed_at=T_SALE))
    for index in range(satisfied + unsatisfied):
        survey_response(order=sale.order, overall=5 if index < satisfied else 1)
    if level:
        SellerStandingFactory(seller=affiliate.seller, period="2026-Q3", level=level, overridden_level=overridden)
    return affiliate  # base: 10 % of 47.98 = 4.80


def csat_line(affiliate):  # type: ignore[no-untyped-def]
    statement = Statement.objects.get(affiliate=affiliate, period="2026-11")
    return statement, statement.lines.filter(kind="performance", source_key="performance:csat:1").first()


def test_a_responsive_badge_lifts_the_tier_one_step(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate = store_with_csat(17, 3, level="responsive")  # 85 %: tier 80 (x1.05) -> tier 90 (x1.10)

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    statement, line = csat_line(affiliate)
    assert line.amount == Decimal("0.48")
    assert line.figures["multiplier"] == "1.1000"
    assert line.figures["standing"] == "responsive"
    assert "responsive badge: one tier up (x1.1 instead of x1.05)" in line.description
    assert statement.total == Decimal("5.28")


def test_a_penalty_withholds_the_bonus(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate = store_with_csat(19, 1, level="penalty")  # 95 %: x1.10 withheld

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    statement, line = csat_line(affiliate)
    assert (line.amount, line.figures["multiplier"], line.figures["capped_by_standing"]) == (Decimal("0.00"), "1", True)
    assert line.figures["standing_effect"] == "penalty standing: x1.1 withheld (x1)"
    assert statement.total == Decimal("4.80")


def test_a_warning_or_no_standing_leaves_the_tier(rules) -> None:  # type: ignore[no-untyped-def]
    warned = store_with_csat(17, 3, level="warning")
    undecided = store_with_csat(17, 3, level=None)

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    for affiliate in (warned, undecided):
        _, line = csat_line(affiliate)
        assert (line.amount, line.figures["multiplier"]) == (Decimal("0.24"), "1.0500")


def test_an_override_is_the_standing_that_counts(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate = store_with_csat(19, 1, level="penalty", overridden="good")

    statements_generate(period=NOVEMBER, now=T_CLOSED)

    _, line = csat_line(affiliate)
    assert line.amount == Decimal("0.48")


def test_the_preview_applies_the_standing_as_generation_does(rules) -> None:  # type: ignore[no-untyped-def]
    affiliate = store_with_csat(17, 3, level="responsive")

    preview = affiliate_preview(affiliate=affiliate, now=MID_NOVEMBER)

    csat = next(figure for figure in preview.figures if figure.metric == "csat")
    assert (preview.standing, csat.multiplier, csat.amount) == ("responsive", Decimal("1.10"), Decimal("0.48"))
    assert csat.standing_effect == "responsive badge: one tier up (x1.1 instead of x1.05)"
    assert csat.next_tier_min_value is None
