"""The royalty console: generate a period, a statement's lines explained, adjust, approve (two
people above the threshold), mark paid into a batch and export it, the second approver of an
adjustment; support reads and may not act; the lists' query counts are constant."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from royalty.models import Adjustment, Attribution, PayoutBatch, Statement, StatementLine
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import OrderFactory, ProductFactory
from tests.reviews.factories import ReviewFactory
from tests.royalty.factories import (
    T_CLOSED,
    AdjustmentFactory,
    AffiliateFactory,
    AttributionFactory,
    CommissionRateFactory,
    PerformanceTierFactory,
    RuleSetFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def finance(finance_user) -> Client:  # type: ignore[no-untyped-def]
    return logged_in(finance_user)


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:royalty_{name}", args=args)


@time_machine.travel(T_CLOSED, tick=False)
def test_finance_generates_a_period_and_reads_each_lines_explanation(finance) -> None:  # type: ignore[no-untyped-def]
    ruleset = RuleSetFactory(name="2026 rules")
    CommissionRateFactory(ruleset=ruleset, value=Decimal("10"))
    PerformanceTierFactory(ruleset=ruleset, metric="rating", min_value=Decimal("4"), multiplier=Decimal("1.2"))
    product = ProductFactory()
    AttributionFactory(product=product)
    ReviewFactory(product=product, rating=5, created_at=datetime(2026, 11, 3, tzinfo=UTC))

    response = finance.post(url("statement_generate"), {"period": "2026-11"})

    assert response.status_code == 302
    assert response["Location"] == url("statement_changelist") + "?period=2026-11"
    statement = Statement.objects.get()
    assert statement.total == Decimal("5.76")  # 4.80 + 0.96
    page = finance.get(url("statement_change", statement.pk)).content.decode()
    assert "tier: <strong>from 4.00 x1.2000</strong>" in page
    assert "rules: <strong>2026 rules</strong>" in page
    assert "Add an adjustment" in page


@time_machine.travel(T_CLOSED, tick=False)
def test_generating_an_open_period_is_refused_on_the_form(finance) -> None:  # type: ignore[no-untyped-def]
    RuleSetFactory()
    AttributionFactory()

    response = finance.post(url("statement_generate"), {"period": "2026-12"})

    assert response.status_code == 400
    assert "not over yet" in response.content.decode()
    assert not Statement.objects.exists()


def test_support_reads_statements_but_acts_on_none(staff_user) -> None:  # type: ignore[no-untyped-def]
    statement = StatementFactory()
    client = logged_in(staff_user)

    page = client.get(url("statement_change", statement.pk))
    assert page.status_code == 200
    assert "Add an adjustment" not in page.content.decode()
    assert client.get(url("statement_adjust", statement.pk)).status_code == 403
    assert client.post(url("statement_approve", statement.pk)).status_code == 403
    assert client.get(url("statement_generate")).status_code == 403
    assert client.get(url("ruleset_add")).status_code == 403
    assert Statement.objects.get().status == "draft"


def test_an_adjustment_from_the_console_is_a_line(finance, finance_user) -> None:  # type: ignore[no-untyped-def]
    statement = StatementFactory()

    response = finance.post(
        url("statement_adjust", statement.pk), {"amount": "-3.25", "reason_code": "correction", "reason": "Typo"}
    )

    assert response.status_code == 302
    line = StatementLine.objects.get()
    assert (line.amount, line.author, line.reason_code) == (Decimal("-3.25"), finance_user, "correction")
    refused = finance.post(url("statement_adjust", statement.pk), {"amount": "1.005", "reason": "x"})
    assert refused.status_code == 400
    assert StatementLine.objects.count() == 1


def test_two_people_approve_a_large_statement_from_the_console(finance, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROYALTY_APPROVAL_TWO_PERSON_ABOVE = Decimal("10.00")
    statement = StatementFactory()
    finance.post(url("statement_adjust", statement.pk), {"amount": "20.00", "reason_code": "bonus", "reason": "Q4"})

    finance.post(url("statement_approve", statement.pk))
    again = finance.post(url("statement_approve", statement.pk))
    assert again.status_code == 400  # refused on the form: a different person gives the second
    assert "different finance user" in again.content.decode()
    assert Statement.objects.get().status == "draft"
    colleague = logged_in(UserFactory(username="finance2", role=Role.FINANCE))
    assert colleague.post(url("statement_approve", statement.pk)).status_code == 302

    approved = Statement.objects.get()
    assert approved.status == "approved"
    assert (approved.approved_by.username, approved.second_approver.username) == ("finance1", "finance2")
    late = {"amount": "1", "reason_code": "bonus", "reason": "x"}
    assert finance.post(url("statement_adjust", statement.pk), late).status_code == 409


def test_mark_paid_makes_one_batch_and_its_csv(finance) -> None:  # type: ignore[no-untyped-def]
    first, second = StatementFactory.create_batch(2)
    for statement in (first, second):
        finance.post(url("statement_adjust", statement.pk), {"amount": "4.00", "reason_code": "bonus", "reason": "x"})
        finance.post(url("statement_approve", statement.pk))

    finance.post(
        url("statement_changelist"),
        {"action": "mark_paid_selected", "_selected_action": [first.pk, second.pk]},
    )

    batch = PayoutBatch.objects.get()
    assert (batch.total, batch.statements_count) == (Decimal("8.00"), 2)
    assert set(Statement.objects.values_list("status", flat=True)) == {"paid"}
    export = finance.get(url("payoutbatch_export", batch.pk))
    assert export["Content-Type"].startswith("text/csv")
    assert len(export.content.decode().splitlines()) == 3


def test_mark_paid_with_a_draft_pays_nothing(finance) -> None:  # type: ignore[no-untyped-def]
    draft = StatementFactory()

    finance.post(url("statement_changelist"), {"action": "mark_paid_selected", "_selected_action": [draft.pk]})

    assert not PayoutBatch.objects.exists()
    assert Statement.objects.get().status == "draft"


def test_the_second_approver_applies_a_pending_adjustment(finance) -> None:  # type: ignore[no-untyped-def]
    adjustment = AdjustmentFactory()

    assert finance.post(url("adjustment_approve", adjustment.pk)).status_code == 302

    adjustment.refresh_from_db()
    assert adjustment.status == "applied"
    assert adjustment.statement.lines.get().amount == Decimal("900.00")
    asker = logged_in(adjustment.requested_by)
    other = AdjustmentFactory(requested_by=adjustment.requested_by)
    refused = asker.post(url("adjustment_approve", other.pk))
    assert refused.status_code == 400
    assert "Another finance user approves" in refused.content.decode()
    assert Adjustment.objects.get(pk=other.pk).status == "pending"


def test_finance_adds_an_affiliate_and_attributes_a_sale(finance) -> None:  # type: ignore[no-untyped-def]
    response = finance.post(
        url("affiliate_add"), {"name": "Deals Blog", "kind": "partner", "currency": "USD", "is_active": "on"}
    )
    assert response.status_code == 302
    affiliate = AffiliateFactory._meta.model.objects.get(name="Deals Blog")
    order = OrderFactory(number="SP-2026-000777")

    done = finance.post(url("affiliate_attribute", affiliate.pk), {"order": "SP-2026-000777", "category": ""})

    assert done.status_code == 302
    assert Attribution.objects.get().order == order
    refused = finance.post(url("affiliate_attribute", affiliate.pk), {"order": "SP-NOPE", "category": ""})
    assert refused.status_code == 400


def test_the_statement_list_and_page_make_a_constant_number_of_queries(finance) -> None:  # type: ignore[no-untyped-def]
    StatementFactory.create_batch(3)
    statement = StatementFactory()
    for amount in ("1.00", "2.00"):
        finance.post(url("statement_adjust", statement.pk), {"amount": amount, "reason_code": "bonus", "reason": "x"})
    with_few = len(_queries(finance, url("statement_changelist")))
    page_few = len(_queries(finance, url("statement_change", statement.pk)))
    StatementFactory.create_batch(27)
    for amount in ("3.00", "4.00", "5.00", "6.00"):
        finance.post(url("statement_adjust", statement.pk), {"amount": amount, "reason_code": "bonus", "reason": "x"})

    assert len(_queries(finance, url("statement_changelist"))) == with_few
    assert len(_queries(finance, url("statement_change", statement.pk))) == page_few


def _queries(client: Client, path: str) -> list[Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return list(captured.captured_queries)


def test_finance_keeps_the_rules_with_rates_and_tiers_inline(finance, finance_user) -> None:  # type: ignore[no-untyped-def]
    from royalty.models import RuleSet

    assert finance.get(url("ruleset_add")).status_code == 200
    response = finance.post(
        url("ruleset_add"),
        {
            "name": "2027 rules",
            "valid_from": "2027-01-01",
            "valid_to": "",
            "rates-TOTAL_FORMS": "1",
            "rates-INITIAL_FORMS": "0",
            "rates-0-affiliate_kind": "partner",
            "rates-0-product": "",
            "rates-0-category": "books",
            "rates-0-basis": "percentage",
            "rates-0-value": "12.5",
            "tiers-TOTAL_FORMS": "1",
            "tiers-INITIAL_FORMS": "0",
            "tiers-0-metric": "csat",
            "tiers-0-min_value": "90",
            "tiers-0-multiplier": "1.05",
            "tiers-0-applies_to": ["partner", "sales_team"],
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    ruleset = RuleSet.objects.get(name="2027 rules")
    assert ruleset.created_by == finance_user
    assert list(ruleset.rates.values_list("category", "value")) == [("books", Decimal("12.5000"))]
    assert list(ruleset.tiers.values_list("metric", "applies_to")) == [("csat", ["partner", "sales_team"])]


def test_every_royalty_page_of_the_console_opens_for_finance(finance) -> None:  # type: ignore[no-untyped-def]
    adjustment = AdjustmentFactory()
    batch_statement = StatementFactory(affiliate=AffiliateFactory())
    for path in (
        url("affiliate_add"),
        url("affiliate_change", adjustment.statement.affiliate_id),
        url("affiliate_attribute", adjustment.statement.affiliate_id),
        url("statement_generate"),
        url("statement_change", adjustment.statement_id),
        url("statement_adjust", batch_statement.pk),
        url("statement_approve", batch_statement.pk),
        url("adjustment_change", adjustment.pk),
        url("adjustment_approve", adjustment.pk),
        url("adjustment_reject", adjustment.pk),
        url("attribution_changelist"),
        url("payoutbatch_changelist"),
    ):
        assert finance.get(path).status_code == 200, path
