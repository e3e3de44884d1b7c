"""Royalty factories: rows in a given state for lists, scoping and query counts. Flows (attribute,
generate, adjust, approve, pay) go through the services."""

from datetime import UTC, date, datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role
from feedback.models import SurveyInvitation, SurveyResponse
from marketplace.models import Order
from royalty.models import (
    Adjustment,
    Affiliate,
    Attribution,
    CommissionRate,
    PayoutBatch,
    PerformanceTier,
    RuleSet,
    Statement,
)
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import OrderFactory, SellerFactory

# November 2026 closes at T_CLOSED; the sales and refunds below are in November unless told.
T_SALE = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
T_CLOSED = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


class RuleSetFactory(DjangoModelFactory[RuleSet]):
    """Rules in force from 2026-01-01, open-ended, with no rate or tier (add them)."""

    class Meta:
        model = RuleSet

    name = factory.Sequence(lambda n: f"Rules {n}")
    valid_from = date(2026, 1, 1)
    valid_to = None
    created_at = datetime(2025, 12, 20, tzinfo=UTC)


class CommissionRateFactory(DjangoModelFactory[CommissionRate]):
    """10 % of partners' sales."""

    class Meta:
        model = CommissionRate

    ruleset = factory.SubFactory(RuleSetFactory)
    affiliate_kind = "partner"
    basis = "percentage"
    value = Decimal("10")


class PerformanceTierFactory(DjangoModelFactory[PerformanceTier]):
    class Meta:
        model = PerformanceTier

    ruleset = factory.SubFactory(RuleSetFactory)
    metric = "rating"
    min_value = Decimal("4.5")
    multiplier = Decimal("1.10")
    applies_to: list[str] = []


class AffiliateFactory(DjangoModelFactory[Affiliate]):
    """An active partner paid in USD."""

    class Meta:
        model = Affiliate

    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = "partner"
    currency = "USD"
    created_at = datetime(2026, 1, 5, tzinfo=UTC)


class SellerAffiliateFactory(AffiliateFactory):
    name = factory.Sequence(lambda n: f"Store affiliate {n}")
    kind = "seller"
    seller = factory.SubFactory(SellerFactory)


class AttributionFactory(DjangoModelFactory[Attribution]):
    """An unsettled sale of 47.98 USD (the order factory's total) on 2026-11-10."""

    class Meta:
        model = Attribution

    affiliate = factory.SubFactory(AffiliateFactory)
    order = factory.SubFactory(OrderFactory, placed_at=T_SALE, status="delivered")
    amount = factory.SelfAttribute("order.total")
    currency = factory.SelfAttribute("order.currency")
    sold_at = factory.SelfAttribute("order.placed_at")
    created_at = factory.SelfAttribute("order.placed_at")


class StatementFactory(DjangoModelFactory[Statement]):
    """A draft statement for November 2026 with no line."""

    class Meta:
        model = Statement

    affiliate = factory.SubFactory(AffiliateFactory)
    period = "2026-11"
    start = datetime(2026, 11, 1, tzinfo=UTC)
    end = datetime(2026, 12, 1, tzinfo=UTC)
    currency = "USD"
    status = "draft"
    total = Decimal("0.00")
    created_at = T_CLOSED


def survey_response(
    *, order: Order | None, overall: int, at: datetime = T_SALE, seller_id: int | None = None
) -> SurveyResponse:
    """A survey answer about ``order`` given at ``at`` (CSAT counts it in that period)."""
    customer = BuyerFactory()
    invitation = SurveyInvitation.objects.create(
        token=f"tok-{customer.pk}-{overall}-{at.timestamp()}",
        status="answered",
        about_type="ticket",
        about_id=customer.pk,
        about_label="A question",
        customer=customer,
        seller_id=seller_id if seller_id is not None else (order.seller_id if order else None),
        order=order,
        channel="web",
        resolved_at=at,
        send_after=at,
        sent_at=at,
        answered_at=at,
        created_at=at,
    )
    return SurveyResponse.objects.create(
        invitation=invitation,
        overall=overall,
        satisfied=overall >= 4,
        interaction_type="ticket",
        channel="web",
        seller_id=invitation.seller_id,
        order=order,
        created_at=at,
    )


class AdjustmentFactory(DjangoModelFactory[Adjustment]):
    """A pending 900.00 adjustment asked by another finance user (waits for a second approver)."""

    class Meta:
        model = Adjustment

    statement = factory.SubFactory(StatementFactory)
    amount = Decimal("900.00")
    reason_code = "goodwill"
    reason = "Campaign launch bonus"
    status = "pending"
    requested_by = factory.SubFactory(UserFactory, role=Role.FINANCE)
    requested_at = T_CLOSED


class PayoutBatchFactory(DjangoModelFactory[PayoutBatch]):
    class Meta:
        model = PayoutBatch

    period = "2026-10"
    currency = "USD"
    total = Decimal("0.00")
    created_by = factory.SubFactory(UserFactory, role=Role.FINANCE)
    created_at = T_CLOSED
