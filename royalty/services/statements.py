"""Writes on one statement after generation: manual adjustments (a second approver above
``ROYALTY_ADJUSTMENT_SECOND_APPROVER_ABOVE``), approval (two different people above
``ROYALTY_APPROVAL_TWO_PERSON_ABOVE``), payment in a payout batch and its CSV export.

Every write locks the statement row (``select_for_update``), checks it is still a draft (approved
and paid statements are immutable: 409), writes, recomputes the total from the lines and records
an event; notices go out after commit."""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import User
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.money import round_money
from core.sql import table
from core.text import clean_text
from notifications.services.bulk import Draft, notify_many
from royalty.models import (
    Adjustment,
    AdjustmentStatus,
    EventKind,
    LineKind,
    PayoutBatch,
    ReasonCode,
    Statement,
    StatementEvent,
    StatementLine,
    StatementStatus,
)
from royalty.notices import Kind
from royalty.services.common import require_draft, require_finance, totals_recompute
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record, webhook_events_record_from_select

REASON_MAX_LENGTH = 1000
MAX_ADJUSTMENT = Decimal("1000000000")


def parse_amount(value: Any, *, field: str = "amount") -> Decimal:
    """A non-zero amount with at most two decimal places (the currency's cents)."""
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(value if isinstance(value, Decimal) else str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("Give an amount such as 12.50 or -3.00.", code="invalid", field=field) from None
    if not amount.is_finite():
        raise InvalidInput("Give an amount such as 12.50 or -3.00.", code="invalid", field=field)
    if amount == 0:
        raise InvalidInput("An adjustment of zero changes nothing.", code="zero", field=field)
    if round_money(amount) != amount:
        raise InvalidInput("At most two decimal places (cents).", code="precision", field=field)
    if abs(amount) >= MAX_ADJUSTMENT:
        raise InvalidInput("The amount is too large.", code="too_large", field=field)
    return round_money(amount)


def _locked(statement: Statement) -> Statement:
    locked = Statement.objects.select_for_update().select_related("affiliate").get(pk=statement.pk)
    require_draft(locked)
    return locked


def _event(statement: Statement, kind: str, *, actor: User | None, now: datetime, note: str = "", **data: Any) -> None:
    StatementEvent.objects.create(statement=statement, kind=kind, actor=actor, note=note, data=data, created_at=now)


def _clear_first_approval(statement: Statement, *, actor: User, now: datetime) -> None:
    """A line added after a first approval changed the amount approved: approve it again."""
    if statement.approved_by_id is None:
        return
    first = statement.approved_by_id
    Statement.objects.filter(pk=statement.pk).update(approved_by=None, approved_at=None)
    _event(statement, EventKind.APPROVAL_CLEARED, actor=actor, now=now, first_approver=first)


def _finance_users(*, exclude: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(groups__name="finance", is_active=True).exclude(pk__in=list(exclude)).order_by("pk")
    )


def _notify_after_commit(drafts: Sequence[Draft]) -> None:
    if drafts:
        transaction.on_commit(lambda: notify_many(drafts=drafts))


def _apply(adjustment: Adjustment, statement: Statement, *, actor: User, now: datetime) -> StatementLine:
    line = StatementLine.objects.create(
        statement=statement,
        kind=LineKind.ADJUSTMENT,
        amount=adjustment.amount,
        description=f"{ReasonCode(adjustment.reason_code).label}: {adjustment.reason}"[:300],
        figures={
            "adjustment": adjustment.pk,
            "reason": adjustment.reason,
            "requested_by": adjustment.requested_by_id,
            "approved_by": actor.pk if actor.pk != adjustment.requested_by_id else None,
        },
        reason_code=adjustment.reason_code,
        author=adjustment.requested_by,
        source_key=f"adjustment:{adjustment.pk}",
        created_at=now,
    )
    adjustment.line = line
    adjustment.status = AdjustmentStatus.APPLIED
    if actor.pk != adjustment.requested_by_id:
        adjustment.decided_by = actor
        adjustment.decided_at = now
    adjustment.save(update_fields=["line", "status", "decided_by", "decided_at"])
    totals_recompute([statement.pk])
    _clear_first_approval(statement, actor=actor, now=now)
    _event(
        statement,
        EventKind.ADJUSTMENT_APPLIED,
        actor=actor,
        now=now,
        adjustment=adjustment.pk,
        amount=str(adjustment.amount),
    )
    return line


def adjustment_add(
    *,
    statement: Statement,
    actor: User,
    amount: Any,
    reason: str,
    reason_code: str = ReasonCode.OTHER,
    now: datetime,
) -> Adjustment:
    """A manual line on a draft statement: applied at once up to the threshold, otherwise waiting
    for another finance user's approval (``adjustment_approve``)."""
    require_finance(actor)
    value = parse_amount(amount)
    reason = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH)
    if reason_code not in ReasonCode.values:
        raise InvalidInput(
            f"The reason code is one of {', '.join(ReasonCode.values)}.", code="invalid", field="reason_code"
        )
    with transaction.atomic():
        locked = _locked(statement)
        needs_second = abs(value) > settings.ROYALTY_ADJUSTMENT_SECOND_APPROVER_ABOVE
        adjustment = Adjustment.objects.create(
            statement=locked,
            amount=value,
            reason=reason,
            reason_code=reason_code,
            status=AdjustmentStatus.PENDING,
            requested_by=actor,
            requested_at=now,
        )
        if needs_second:
            _event(
                locked,
                EventKind.ADJUSTMENT_REQUESTED,
                actor=actor,
                now=now,
                adjustment=adjustment.pk,
                amount=str(value),
                threshold=str(settings.ROYALTY_ADJUSTMENT_SECOND_APPROVER_ABOVE),
            )
            _notify_after_commit(
                [
                    Draft(
                        recipient=user,
                        kind=Kind.ADJUSTMENT_TO_APPROVE,
                        title=f"Adjustment of {value} {locked.currency} on {locked} waits for your approval",
                        body=reason,
                    )
                    for user in _finance_users(exclude=[actor.pk])
                ]
            )
        else:
            _apply(adjustment, locked, actor=actor, now=now)
    statement.refresh_from_db()
    return adjustment


def _locked_pending(adjustment: Adjustment) -> tuple[Adjustment, Statement]:
    statement = _locked(adjustment.statement)
    locked = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
    if locked.status != AdjustmentStatus.PENDING:
        raise StateConflict(f"The adjustment is {locked.get_status_display().lower()} already.", code="decided")
    return locked, statement


def adjustment_approve(*, adjustment: Adjustment, actor: User, now: datetime) -> Adjustment:
    """The second approver of a large adjustment: another finance user than who asked."""
    require_finance(actor)
    with transaction.atomic():
        locked, statement = _locked_pending(adjustment)
        if locked.requested_by_id == actor.pk:
            raise Forbidden("Another finance user approves an adjustment you asked for.", code="same_person")
        _apply(locked, statement, actor=actor, now=now)
    return locked


def adjustment_reject(*, adjustment: Adjustment, actor: User, note: str = "", now: datetime) -> Adjustment:
    require_finance(actor)
    note = clean_text(note, field="note", max_length=REASON_MAX_LENGTH, required=False)
    with transaction.atomic():
        locked, statement = _locked_pending(adjustment)
        locked.status = AdjustmentStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        _event(statement, EventKind.ADJUSTMENT_REJECTED, actor=actor, now=now, note=note, adjustment=locked.pk)
    return locked


def needs_two_approvers(statement: Statement) -> bool:
    return abs(statement.total) > settings.ROYALTY_APPROVAL_TWO_PERSON_ABOVE


def statement_approve(*, statement: Statement, actor: User, now: datetime) -> Statement:
    """Approve a draft (then immutable). Above the two-person threshold the first approval is
    recorded and the statement stays a draft until a different finance user approves it too."""
    require_finance(actor)
    with transaction.atomic():
        locked = _locked(statement)
        if locked.adjustments.filter(status=AdjustmentStatus.PENDING).exists():
            raise StateConflict(
                "An adjustment on this statement waits for its second approver: decide it first.",
                code="adjustment_pending",
            )
        two_people = needs_two_approvers(locked)
        if two_people and locked.approved_by_id is None:
            locked.approved_by = actor
            locked.approved_at = now
            locked.save(update_fields=["approved_by", "approved_at"])
            _event(locked, EventKind.FIRST_APPROVAL, actor=actor, now=now, total=str(locked.total))
            _notify_after_commit(
                [
                    Draft(
                        recipient=user,
                        kind=Kind.STATEMENT_TO_APPROVE,
                        title=f"Statement {locked} ({locked.total} {locked.currency}) needs a second approval",
                    )
                    for user in _finance_users(exclude=[actor.pk])
                ]
            )
            return locked
        if two_people and locked.approved_by_id == actor.pk:
            raise Forbidden(
                "You gave the first approval: a different finance user gives the second.", code="same_person"
            )
        if two_people:
            locked.second_approver = actor
            locked.second_approved_at = now
        else:
            locked.approved_by = actor
            locked.approved_at = now
        locked.status = StatementStatus.APPROVED
        locked.save(update_fields=["status", "approved_by", "approved_at", "second_approver", "second_approved_at"])
        _event(locked, EventKind.APPROVED, actor=actor, now=now, total=str(locked.total), two_people=two_people)
        # Approved means immutable: a first of two approvals is not yet an approval (no event).
        webhook_event_record(event_type=EventType.STATEMENT_APPROVED, resource_id=locked.pk, now=now)
        user = locked.affiliate.user
        if user is not None:
            _notify_after_commit(
                [
                    Draft(
                        recipient=user,
                        kind=Kind.STATEMENT_APPROVED,
                        title=f"Your royalty statement for {locked.period} is approved: "
                        f"{locked.total} {locked.currency}",
                    )
                ]
            )
    return locked


def statements_mark_paid(*, statement_ids: Iterable[int], actor: User, now: datetime) -> PayoutBatch:
    """Pay approved statements together: one payout batch (one currency) whose CSV is the
    transfer list. All or nothing: a statement that is not approved refuses the whole batch."""
    require_finance(actor)
    ids = sorted(set(statement_ids))
    if not ids:
        raise InvalidInput("Choose the approved statements to pay.", code="required", field="statements")
    with transaction.atomic():
        statements = list(
            Statement.objects.select_for_update().filter(pk__in=ids).select_related("affiliate").order_by("pk")
        )
        if len(statements) != len(ids):
            raise InvalidInput("Some statements do not exist.", code="not_found", field="statements")
        unpaid = [statement for statement in statements if statement.status != StatementStatus.APPROVED]
        if unpaid:
            raise StateConflict(
                f"Only approved statements are paid: {', '.join(str(s) for s in unpaid[:5])} "
                f"{'is' if len(unpaid) == 1 else 'are'} {unpaid[0].get_status_display().lower()}.",
                code="not_approved",
            )
        currencies = {statement.currency for statement in statements}
        if len(currencies) > 1:
            raise InvalidInput("A payout batch is paid in one currency.", code="currencies", field="statements")
        periods = sorted({statement.period for statement in statements})
        batch = PayoutBatch.objects.create(
            period=", ".join(periods)[:24],
            currency=currencies.pop(),
            total=sum((statement.total for statement in statements), Decimal("0.00")),
            statements_count=len(statements),
            created_by=actor,
            created_at=now,
        )
        Statement.objects.filter(pk__in=ids).update(status=StatementStatus.PAID, paid_at=now, payout_batch=batch)
        StatementEvent.objects.bulk_create(
            [
                StatementEvent(
                    statement=statement,
                    kind=EventKind.PAID,
                    actor=actor,
                    data={"payout_batch": batch.pk},
                    created_at=now,
                )
                for statement in statements
            ]
        )
        # One ``statement.paid`` per statement of the batch, in one statement however many.
        webhook_events_record_from_select(
            event_type=EventType.STATEMENT_PAID,
            select_sql=f"SELECT id AS resource_id FROM {table(Statement)} WHERE payout_batch_id = %s ORDER BY id",  # noqa: S608
            params=[batch.pk],
            now=now,
        )
        _notify_after_commit(
            [
                Draft(
                    recipient=statement.affiliate.user,
                    kind=Kind.STATEMENT_PAID,
                    title=f"Your royalty statement for {statement.period} is paid: "
                    f"{statement.total} {statement.currency}",
                )
                for statement in statements
                if statement.affiliate.user is not None
            ]
        )
    return batch


CSV_HEADER = [
    "statement",
    "affiliate",
    "affiliate_name",
    "kind",
    "period",
    "currency",
    "amount",
    "approved_by",
    "second_approver",
    "paid_at",
]


def payout_batch_csv(batch: PayoutBatch) -> str:
    """The batch as the bank transfer list: one row per statement (one query)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    rows = (
        batch.statements.select_related("affiliate", "approved_by", "second_approver")
        .order_by("affiliate__name", "pk")
        .all()
    )
    for statement in rows:
        writer.writerow(
            [
                statement.pk,
                statement.affiliate_id,
                _csv_safe(statement.affiliate.name),
                statement.affiliate.kind,
                statement.period,
                statement.currency,
                f"{statement.total:.2f}",
                statement.approved_by.get_username() if statement.approved_by else "",
                statement.second_approver.get_username() if statement.second_approver else "",
                statement.paid_at.isoformat() if statement.paid_at else "",
            ]
        )
    return buffer.getvalue()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
