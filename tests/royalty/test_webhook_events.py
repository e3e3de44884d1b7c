"""Royalty's webhook events, each written in the transaction of the change:

- ``statement.approved`` when a statement becomes approved (immutable): at once below the
  two-person threshold, at the second approval above it (the first writes none);
- ``statement.paid`` for every statement of a payout batch, in one statement however many;

a refused approval or payment writes none; and the statement rendered for an event exactly as the
API shows it to finance."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from core.exceptions import StateConflict
from royalty.services.statements import adjustment_add, statement_approve, statements_mark_paid
from royalty.webhook_resources import RESOURCES, statements_render
from tests.accounts.factories import UserFactory
from tests.royalty.factories import T_CLOSED, StatementFactory
from webhooks.models import Event
from webhooks.resources import render_resources

pytestmark = pytest.mark.django_db
NOW = T_CLOSED + timedelta(days=1)


class _Boom(Exception):
    pass


def _events() -> list[tuple[str, str, int]]:
    return list(Event.objects.order_by("id").values_list("type", "resource_type", "resource_id"))


def _event_inserts(queries: CaptureQueriesContext) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].lstrip().startswith('INSERT INTO "webhooks_event"'))


def test_approving_writes_one_event_and_paying_one_per_statement_in_one_statement(finance_user) -> None:
    statements = StatementFactory.create_batch(3, total=Decimal("12.50"))
    for statement in statements:
        statement_approve(statement=statement, actor=finance_user, now=NOW)
    assert _events() == [("statement.approved", "royalty_statement", statement.pk) for statement in statements]
    Event.objects.all().delete()

    with CaptureQueriesContext(connection) as queries:
        statements_mark_paid(statement_ids=[s.pk for s in statements], actor=finance_user, now=NOW)

    assert _event_inserts(queries) == 1
    assert _events() == [("statement.paid", "royalty_statement", statement.pk) for statement in statements]
    assert set(Event.objects.values_list("created_at", flat=True)) == {NOW}


def test_above_the_threshold_only_the_second_approval_writes_the_event(finance_user, settings) -> None:
    settings.ROYALTY_APPROVAL_TWO_PERSON_ABOVE = Decimal("100.00")
    statement = StatementFactory(total=Decimal("250.00"))
    colleague = UserFactory(role=Role.FINANCE)

    statement_approve(statement=statement, actor=finance_user, now=NOW)
    assert _events() == []

    statement_approve(statement=statement, actor=colleague, now=NOW)
    assert _events() == [("statement.approved", "royalty_statement", statement.pk)]


def test_refused_and_rolled_back_approvals_and_payments_write_no_event(finance_user) -> None:
    draft = StatementFactory()
    approved = StatementFactory()
    statement_approve(statement=approved, actor=finance_user, now=NOW)
    Event.objects.all().delete()

    with pytest.raises(StateConflict):
        statements_mark_paid(statement_ids=[draft.pk, approved.pk], actor=finance_user, now=NOW)
    with pytest.raises(StateConflict):
        statement_approve(statement=approved, actor=finance_user, now=NOW)
    with pytest.raises(_Boom), transaction.atomic():
        statement_approve(statement=draft, actor=finance_user, now=NOW)
        raise _Boom
    with pytest.raises(_Boom), transaction.atomic():
        statements_mark_paid(statement_ids=[approved.pk], actor=finance_user, now=NOW)
        raise _Boom

    assert _events() == []


def test_a_statement_renders_as_the_api_shows_it_to_finance(finance_user, client_for) -> None:
    statement = StatementFactory()
    adjustment_add(statement=statement, actor=finance_user, amount="12.34", reason="Late bonus", now=NOW)
    statement_approve(statement=statement, actor=finance_user, now=NOW)

    api = client_for(finance_user).get(f"/api/v1/royalty-statements/{statement.pk}/")

    assert api.status_code == 200
    assert render_resources("royalty_statement", [statement.pk]) == {statement.pk: api.json()}
    assert (api.json()["total"], api.json()["status"], len(api.json()["lines"])) == ("12.34", "approved", 1)
    assert len(api.json()["adjustments"]) == 1
    assert set(RESOURCES) == {"royalty_statement"}


def test_rendering_costs_the_same_statements_for_2_and_20(django_assert_num_queries) -> None:
    ids = [StatementFactory().pk for _ in range(20)]

    # the statements with their affiliate and approvers, their lines, their adjustments
    with django_assert_num_queries(3):
        assert len(statements_render(ids[:2])) == 2
    with django_assert_num_queries(3):
        assert len(statements_render(ids)) == 20
