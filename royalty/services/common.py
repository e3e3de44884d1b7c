"""Pieces every royalty write shares: the finance check, the draft guard, the total recomputed from
the lines in the same transaction, and the period a statement is for."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.periods import Period, parse_period, period_kind
from royalty.models import Statement, StatementLine, StatementStatus

FINANCE_PERMISSION = "royalty.change_statement"


def user_is_finance(user: User | Any) -> bool:
    """Finance (or an admin) works statements and rules; support and moderators only read."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(FINANCE_PERMISSION))


def require_finance(user: User | Any) -> None:
    if not user_is_finance(user):
        raise Forbidden("Only finance works royalty statements.", code="forbidden")


def require_draft(statement: Statement) -> None:
    """Approved and paid statements are immutable: a correction is a line in a later statement."""
    if statement.status != StatementStatus.DRAFT:
        raise StateConflict(
            f"The statement is {statement.get_status_display().lower()}: it no longer changes. "
            "Correct it with an adjustment on a later statement.",
            code="statement_closed",
        )


def statement_period(text: str | None) -> Period:
    """A statement period: a month (``2026-11``) or a quarter (``2026-Q4``); 400 on ``period``."""
    if not (text or "").strip():
        raise InvalidInput(
            "Give the period: a month (2026-11) or a quarter (2026-Q4).", code="required", field="period"
        )
    from django.utils import timezone

    period = parse_period(period=text, date_from=None, date_to=None, now=timezone.now())
    if period_kind(period) == "range":  # pragma: no cover - parse_period never returns one for ``period``
        raise InvalidInput("A statement period is a month or a quarter.", code="invalid", field="period")
    return period


def totals_recompute(statement_ids: Iterable[int]) -> None:
    """``total`` = the sum of the statement's lines, one UPDATE for all of them (in the caller's
    transaction, after its lines are written)."""
    ids = list(statement_ids)
    if not ids:
        return
    line_sum = (
        StatementLine.objects.filter(statement_id=OuterRef("pk"))
        .order_by()
        .values("statement_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    Statement.objects.filter(id__in=ids).update(
        total=Coalesce(Subquery(line_sum, output_field=money), Value(Decimal("0.00"), output_field=money))
    )
