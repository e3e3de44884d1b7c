"""Statement lines are append-only: the model refuses save() of an existing line and delete(), and
on PostgreSQL the trigger refuses UPDATE, DELETE and a line added to a statement that is no longer
a draft, whatever path the SQL takes."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from royalty.models import AppendOnlyError, StatementLine
from tests.royalty.factories import T_CLOSED, StatementFactory

pytestmark = pytest.mark.django_db


def _line(statement, amount: str = "5.00") -> StatementLine:  # type: ignore[no-untyped-def]
    return StatementLine.objects.create(
        statement=statement,
        kind="adjustment",
        amount=Decimal(amount),
        description="x",
        source_key=f"adjustment:{amount}",
        created_at=T_CLOSED,
    )


def test_the_model_refuses_to_change_or_delete_a_line() -> None:
    line = _line(StatementFactory())
    line.amount = Decimal("6.00")

    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        line.delete()
    assert StatementLine.objects.get().amount == Decimal("5.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_update_delete_and_lines_on_a_closed_statement() -> None:
    statement = StatementFactory()
    _line(statement)

    for statement_sql in (
        "UPDATE royalty_statementline SET amount = 1",
        "DELETE FROM royalty_statementline",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement_sql)
    approved = StatementFactory(status="approved", approved_at=T_CLOSED)
    with pytest.raises(DatabaseError), transaction.atomic():
        _line(approved, "7.00")
    assert list(StatementLine.objects.values_list("amount", flat=True)) == [Decimal("5.00")]
