"""The preview's refund read is bounded by the affiliate's own sales, not by the platform's refunds.

Refunds on orders no affiliate attributed are never clawed back, so the refunds "not clawed back yet"
only grow with the platform. The preview must reach its affiliate's refunds from its sales, whatever
that set holds. The planner decides how; what is asserted is what the statement read, with the
statistics gathered so the plan does not depend on what autovacuum saw: the refund rows it scanned
(EXPLAIN ANALYZE on PostgreSQL)."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import Order, Payment, Refund
from royalty.models import Affiliate, Attribution, StatementLine
from royalty.selectors.preview import affiliate_preview
from tests.accounts.factories import BuyerFactory
from tests.marketplace.factories import SellerFactory
from tests.royalty.factories import T_SALE, AffiliateFactory, CommissionRateFactory, RuleSetFactory
from tests.utils import requires_postgres

pytestmark = [pytest.mark.django_db, requires_postgres, pytest.mark.postgres]

MID_NOVEMBER = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SALES = 30
OTHER_REFUNDS = 1000


def _sales(affiliate: Affiliate, count: int, *, refunded: int) -> None:
    """``count`` sales of ``affiliate`` in November, the first ``refunded`` of them refunded (5.00,
    not clawed back). Bulk: the rows, not the flows, are what the planner is given."""
    seller, buyer = SellerFactory(), BuyerFactory()
    orders = Order.objects.bulk_create(
        Order(
            number=f"SP-{affiliate.pk}-{n:05d}",
            buyer=buyer,
            seller=seller,
            status="delivered",
            subtotal=Decimal("39.98"),
            shipping_fee=Decimal("5.00"),
            tax=Decimal("3.00"),
            total=Decimal("47.98"),
            placed_at=T_SALE,
        )
        for n in range(count)
    )
    Attribution.objects.bulk_create(
        Attribution(
            affiliate=affiliate,
            order=order,
            amount=order.total,
            currency=order.currency,
            sold_at=T_SALE,
            created_at=T_SALE,
        )
        for order in orders
    )
    payments = Payment.objects.bulk_create(
        Payment(
            order=order,
            amount=order.total,
            currency=order.currency,
            method="card",
            status="captured",
            captured_amount=order.total,
            refunded_amount=Decimal("0.00"),
            reference=f"PAY-{order.number}",
        )
        for order in orders[:refunded]
    )
    Refund.objects.bulk_create(
        Refund(payment=payment, amount=Decimal("5.00"), reason="Damaged box") for payment in payments
    )
    Refund.objects.filter(payment__in=payments).update(created_at=T_SALE)  # set on insert: into November


def _rows_scanned(plan: dict[str, Any], table: str) -> int:
    """Rows the plan's scans of ``table`` returned, over all their loops."""
    own = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == table else 0
    return own + sum(_rows_scanned(child, table) for child in plan.get("Plans", []))


def test_the_preview_reads_only_its_affiliates_refunds_among_many_not_clawed_back() -> None:
    CommissionRateFactory(ruleset=RuleSetFactory(), affiliate_kind="partner", value=Decimal("10"))
    affiliate = AffiliateFactory()
    _sales(affiliate, SALES, refunded=1)
    _sales(AffiliateFactory(), OTHER_REFUNDS, refunded=OTHER_REFUNDS)
    with connection.cursor() as cursor:
        for model in (Affiliate, Order, Attribution, Payment, Refund, StatementLine):
            cursor.execute(f"ANALYZE {model._meta.db_table}")

    with CaptureQueriesContext(connection) as queries:
        preview = affiliate_preview(affiliate=affiliate, now=MID_NOVEMBER)

    assert (preview.sales, preview.clawbacks, preview.clawback_amount) == (SALES, 1, Decimal("-0.50"))
    [refund_read] = [query["sql"] for query in queries if query["sql"].startswith('SELECT "marketplace_refund"."id"')]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {refund_read}")
        [[explained]] = cursor.fetchall()
    # Its one refund, not the other partner's 1,000 (with LEFT JOIN ... IS NULL it scanned all 1,001).
    assert _rows_scanned(explained[0]["Plan"], Refund._meta.db_table) == 1
