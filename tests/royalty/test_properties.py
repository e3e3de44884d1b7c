"""Property tests (hypothesis) over random histories of sales, refunds, adjustments, approvals
and payments across two months:

- every statement's total equals the sum of its lines, to the cent, and each line is in cents;
- the base commission equals the rate on the sales, rounded once, half-up;
- regenerating a period changes nothing;
- a clawback never changes a paid statement: a refund after November was paid lands in December,
  and each refund is clawed back once.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.periods import month_period
from royalty.models import Statement, StatementLine
from royalty.services.generation import statements_generate
from royalty.services.statements import adjustment_add, statement_approve, statements_mark_paid
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import OrderFactory
from tests.marketplace.factories_billing import PaymentFactory, RefundFactory
from tests.royalty.factories import AffiliateFactory, AttributionFactory, CommissionRateFactory, RuleSetFactory

pytestmark = pytest.mark.django_db

NOVEMBER, DECEMBER = month_period(2026, 11), month_period(2026, 12)
AFTER_NOVEMBER = datetime(2026, 12, 2, tzinfo=UTC)
AFTER_DECEMBER = datetime(2027, 1, 2, tzinfo=UTC)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Sale:
    affiliate: int
    cents: int
    day: int  # of November
    refund_share: int  # percent of the sale refunded; 0: none
    refund_in_december: bool


sales = st.lists(
    st.builds(
        Sale,
        affiliate=st.integers(0, 2),
        cents=st.integers(0, 2_000_000),
        day=st.integers(1, 30),
        refund_share=st.sampled_from([0, 0, 10, 33, 50, 100]),
        refund_in_december=st.booleans(),
    ),
    min_size=1,
    max_size=8,
)
rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("40"), places=4)
adjustments = st.lists(st.tuples(st.integers(0, 2), st.integers(-50_000, 50_000).filter(bool)), max_size=3)

histories = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def build(finance, history: list[Sale], rate: Decimal) -> list:  # type: ignore[no-untyped-def]
    ruleset = RuleSetFactory()
    CommissionRateFactory(ruleset=ruleset, affiliate_kind="partner", value=rate)
    affiliates = [AffiliateFactory() for _ in range(3)]
    refunds = []
    for sale in history:
        amount = Decimal(sale.cents) / 100
        at = datetime(2026, 11, sale.day, 12, tzinfo=UTC)
        order = OrderFactory(
            subtotal=amount, shipping_fee=0, tax=0, discount=0, total=amount, placed_at=at, status="delivered"
        )
        AttributionFactory(affiliate=affiliates[sale.affiliate], order=order)
        refunded = (amount * sale.refund_share / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if refunded > 0:
            refund = RefundFactory(payment=PaymentFactory(order=order), amount=refunded)
            when = at + timedelta(days=35) if sale.refund_in_december else at + timedelta(hours=1)
            type(refund).objects.filter(pk=refund.pk).update(created_at=min(when, datetime(2026, 12, 31, tzinfo=UTC)))
            refunds.append(refund)
    return affiliates


def snapshot() -> list[tuple[int, int, str, Decimal]]:
    return list(StatementLine.objects.order_by("id").values_list("id", "statement_id", "source_key", "amount"))


def assert_totals_add_up() -> None:
    for statement in Statement.objects.all():
        # Summed here, not by the database: SQLite adds decimals as floats (0.0100000000000002).
        lines = sum(statement.lines.values_list("amount", flat=True), Decimal("0.00"))
        assert statement.total == lines, statement
        for amount in statement.lines.values_list("amount", flat=True):
            assert amount == amount.quantize(CENT)


@histories
@given(history=sales, rate=rates, manual=adjustments)
def test_totals_are_the_sum_of_their_lines_and_regenerating_changes_nothing(  # type: ignore[no-untyped-def]
    finance_user, history, rate, manual
) -> None:
    with transaction.atomic():
        affiliates = build(finance_user, history, rate)
        statements_generate(period=NOVEMBER, now=AFTER_NOVEMBER)
        for index, cents in manual:
            statement = Statement.objects.filter(affiliate=affiliates[index], period="2026-11").first()
            if statement is not None:
                adjustment_add(
                    statement=statement, actor=finance_user, amount=Decimal(cents) / 100, reason="x", now=AFTER_NOVEMBER
                )
        assert_totals_add_up()
        for affiliate in affiliates:
            sold = sum((Decimal(s.cents) / 100 for s in history if affiliates[s.affiliate] == affiliate), Decimal("0"))
            base = sum(
                StatementLine.objects.filter(statement__affiliate=affiliate, kind="base").values_list(
                    "amount", flat=True
                ),
                Decimal("0.00"),
            )
            expected = (sold * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
            assert base == expected

        before = snapshot()
        totals = list(Statement.objects.order_by("id").values_list("id", "total"))
        again = statements_generate(period=NOVEMBER, now=AFTER_NOVEMBER)
        assert again.lines_added == 0
        assert snapshot() == before
        assert list(Statement.objects.order_by("id").values_list("id", "total")) == totals
        transaction.set_rollback(True)


@histories
@given(history=sales, rate=rates)
def test_a_clawback_never_changes_a_paid_statement(finance_user, history, rate) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        build(finance_user, history, rate)
        colleague = UserFactory(username="finance-colleague", role="finance")
        # November closes with only the November refunds; it is approved and paid.
        statements_generate(period=NOVEMBER, now=AFTER_NOVEMBER)
        november = list(Statement.objects.filter(period="2026-11"))
        for statement in november:
            statement_approve(statement=statement, actor=finance_user, now=AFTER_NOVEMBER)
            statement.refresh_from_db()
            if statement.status == "draft":
                statement_approve(statement=statement, actor=colleague, now=AFTER_NOVEMBER)
        if november:
            statements_mark_paid(statement_ids=[s.pk for s in november], actor=finance_user, now=AFTER_NOVEMBER)
        paid = snapshot()
        paid_totals = list(Statement.objects.filter(period="2026-11").order_by("id").values_list("id", "total"))

        statements_generate(period=NOVEMBER, now=AFTER_DECEMBER)
        statements_generate(period=DECEMBER, now=AFTER_DECEMBER)

        assert [row for row in snapshot() if row[1] in {s.pk for s in november}] == [
            row for row in paid if row[1] in {s.pk for s in november}
        ]
        assert list(Statement.objects.filter(period="2026-11").order_by("id").values_list("id", "total")) == paid_totals
        late = sum(1 for s in history if s.refund_share and s.refund_in_december and s.cents * s.refund_share >= 50)
        assert StatementLine.objects.filter(statement__period="2026-12", kind="clawback").count() == late
        assert StatementLine.objects.filter(kind="clawback").values("refund").distinct().count() == (
            StatementLine.objects.filter(kind="clawback").count()
        )
        assert_totals_add_up()
        transaction.set_rollback(True)
