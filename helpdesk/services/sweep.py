"""The help desk sweep, set-based on the SLA toolkit (``core.sla``), each step exactly once:

- **warn** before a ticket's target passes and **escalate** when it has passed (its
  ``TicketClock``: first response, resolution, or the department's target): a notice to its
  assignee and one digest per member of ``HELPDESK_BREACH_GROUPS``. The clock row is all that is
  written per ticket: the ticket's "breaching" state and its log's warning and breach lines are read
  from it (``warned_at``, ``escalated_at``), as the inquiries and reviews sweeps do; an entry per
  ticket was most of a 10,000-ticket catch-up (bench/README.md);
- **follow-ups** whose date has arrived: their owner is notified (``FollowUp``);
- tickets **waiting on the customer** (``CustomerWait``): the customer is reminded every
  ``HELPDESK_CUSTOMER_REMINDER_INTERVAL``; after ``HELPDESK_CUSTOMER_REMINDERS`` reminders the
  ticket closes with a note.

Each batch is claimed and marked in one ``UPDATE ... RETURNING`` (``ClockClaim``) and the rest is
``INSERT ... SELECT`` over the claimed keys: a fixed number of statements whatever the batch size.
Only the clock rows are locked by a claim, except for the waits, whose tickets the sweep closes:
there the ticket is claimed too (``FOR UPDATE ... SKIP LOCKED``). The services lock the ticket
(``FOR NO KEY UPDATE``) before its clocks: a ticket a service holds is skipped and taken by the next
run, a service arriving after the claim waits for the sweep's commit, and the sweep's inserts that
reference a ticket (``KEY SHARE`` foreign-key checks) never wait for a service: never a deadlock.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings

from accounts.models import User
from accounts.selectors.users import staff_in_groups
from core.sla import ClockClaim, Join, Stage
from core.sql import db_datetime, execute, ids_in, table
from helpdesk.models import (
    CustomerWait,
    Direction,
    FollowUp,
    Interaction,
    InteractionKind,
    Ticket,
    TicketClock,
    TicketStatus,
)
from helpdesk.notices import Kind
from notifications.services.bulk import Draft, notify_from_select, notify_many

CLOCKS = ClockClaim(model=TicketClock, key="ticket_id")
FOLLOW_UPS = ClockClaim(model=FollowUp, key="id", returning=("ticket_id",))
WAITS = ClockClaim(
    model=CustomerWait,
    key="ticket_id",
    joins=(Join(model=Ticket, alias="ticket", on="ticket.id = claimable.ticket_id", lock="UPDATE"),),
    where="ticket.status = %s",
    params=(TicketStatus.PENDING_CUSTOMER.value,),
    returning=("reminders_sent",),
)
DIGEST_REFERENCES = 5


def _log_actions(ticket_ids: Sequence[int], *, action: str, body: str, now: datetime, internal: bool = True) -> None:
    """One log entry per ticket, written by one ``INSERT ... SELECT``."""
    where, params = ids_in("ticket.id", ticket_ids)
    execute(
        f"""
        INSERT INTO {table(Interaction)}
            (ticket_id, customer_id, kind, direction, channel, author_id, action, body, data, is_internal, created_at)
        SELECT ticket.id, ticket.customer_id, %s, %s, ticket.channel, NULL, %s, %s, %s, %s, %s
        FROM {table(Ticket)} AS ticket WHERE {where} ORDER BY ticket.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [
            InteractionKind.ACTION.value,
            Direction.INTERNAL.value if internal else Direction.OUTBOUND.value,
            action,
            body,
            "{}",
            internal,
            db_datetime(now),
            *params,
        ],
    )


def _notify_assignees(ticket_ids: Sequence[int], *, kind: str, title: str) -> None:
    where, params = ids_in("ticket.id", ticket_ids)
    notify_from_select(
        kind=kind,
        select_sql=f"""
            SELECT ticket.assignee_id AS recipient_id, %s || ticket.reference AS title,
                   ticket.subject AS body, %s || ticket.id || '/change/' AS link
            FROM {table(Ticket)} AS ticket
            WHERE {where} AND ticket.assignee_id IS NOT NULL ORDER BY ticket.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=[title, "/admin/helpdesk/ticket/", *params],
    )


def _notify_staff(ticket_ids: Sequence[int], *, staff: Sequence[User], kind: str, what: str, link: str) -> None:
    if not staff:
        return
    first_where, first_params = ids_in("ticket.id", sorted(ticket_ids)[:DIGEST_REFERENCES])
    first = execute(
        f"SELECT ticket.reference FROM {table(Ticket)} AS ticket WHERE {first_where} ORDER BY ticket.id",  # noqa: S608
        first_params,
    )
    count = len(ticket_ids)
    notify_many(
        drafts=[
            Draft(
                recipient=user,
                kind=kind,
                title=f"{count} ticket{'s' if count != 1 else ''} {what}",
                body="; ".join(reference for (reference,) in first),
                link=link,
            )
            for user in staff
        ]
    )


class _Staff:
    """The breach groups' members, read once per run and only if a batch needs them."""

    def __init__(self) -> None:
        self.users: list[User] | None = None

    def __call__(self) -> list[User]:
        if self.users is None:
            self.users = staff_in_groups(*settings.HELPDESK_BREACH_GROUPS)
        return self.users


def _clock_stage(stage: Stage, *, now: datetime, batch_size: int) -> int:
    staff = _Staff()
    if stage == "warn":
        kind, what, title = Kind.TICKET_WARNING, "near their target", "Target soon: "
        link = "/admin/helpdesk/ticket/?time_left=soon"
    else:
        kind, what, title = Kind.TICKET_BREACHED, "past their target", "Target passed: "
        link = "/admin/helpdesk/ticket/?time_left=breaching"

    def handle(rows: list[tuple[Any, ...]]) -> None:
        ids = [row[0] for row in rows]
        _notify_assignees(ids, kind=kind, title=title)
        _notify_staff(ids, staff=staff(), kind=kind, what=what, link=link)

    return CLOCKS.sweep(stage=stage, now=now, batch_size=batch_size, handle=handle)


def helpdesk_warn_near_target(*, now: datetime, batch_size: int | None = None) -> int:
    return _clock_stage("warn", now=now, batch_size=batch_size or settings.HELPDESK_SWEEP_BATCH_SIZE)


def helpdesk_escalate_breached(*, now: datetime, batch_size: int | None = None) -> int:
    return _clock_stage("escalate", now=now, batch_size=batch_size or settings.HELPDESK_SWEEP_BATCH_SIZE)


def _follow_ups_due(rows: list[tuple[Any, ...]], *, now: datetime) -> None:
    where, params = ids_in("follow_up.id", [row[0] for row in rows])
    notify_from_select(
        kind=Kind.TICKET_FOLLOW_UP,
        select_sql=f"""
            SELECT follow_up.owner_id AS recipient_id, %s || ticket.reference AS title,
                   follow_up.note AS body, %s || ticket.id || '/change/' AS link
            FROM {table(FollowUp)} AS follow_up
            JOIN {table(Ticket)} AS ticket ON ticket.id = follow_up.ticket_id
            WHERE {where} ORDER BY follow_up.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=["Follow-up due: ", "/admin/helpdesk/ticket/", *params],
    )
    _log_actions(sorted({row[1] for row in rows}), action="follow_up_due", body="Follow-up due.", now=now)


def helpdesk_follow_ups_due(*, now: datetime, batch_size: int | None = None) -> int:
    size = batch_size or settings.HELPDESK_SWEEP_BATCH_SIZE
    return FOLLOW_UPS.sweep(
        stage="escalate", now=now, batch_size=size, handle=lambda rows: _follow_ups_due(rows, now=now)
    )


def _notify_customers(ticket_ids: Sequence[int], *, kind: str, title: str, body: str) -> None:
    where, params = ids_in("ticket.id", ticket_ids)
    notify_from_select(
        kind=kind,
        select_sql=f"""
            SELECT ticket.customer_id AS recipient_id, %s || ticket.reference AS title,
                   %s AS body, %s || ticket.id || '/' AS link
            FROM {table(Ticket)} AS ticket WHERE {where} ORDER BY ticket.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=[title, body, "/support/", *params],
    )


def _waits_due(rows: list[tuple[Any, ...]], *, now: datetime) -> None:
    limit = settings.HELPDESK_CUSTOMER_REMINDERS
    remind = [ticket_id for ticket_id, sent in rows if sent < limit]
    close = [ticket_id for ticket_id, sent in rows if sent >= limit]
    at = db_datetime(now)
    if remind:
        where, params = ids_in("ticket_id", remind)
        execute(
            f"""UPDATE {table(CustomerWait)} SET reminders_sent = reminders_sent + 1, due_at = %s,
                escalated_at = NULL WHERE {where}""",  # noqa: S608
            [db_datetime(now + settings.HELPDESK_CUSTOMER_REMINDER_INTERVAL), *params],
        )
        _log_actions(
            remind,
            action="customer_reminded",
            body="We reminded you that we need your answer.",
            now=now,
            internal=False,
        )
        _notify_customers(
            remind,
            kind=Kind.TICKET_REMINDER,
            title="We are waiting for your answer: ",
            body="Reply on the request so that we can go on; without an answer it will be closed.",
        )
    if close:
        note = f"Closed after {limit} reminders without an answer. Open a new request any time."
        where, params = ids_in("id", close)
        execute(
            f"UPDATE {table(Ticket)} SET status = %s, closed_at = %s, updated_at = %s WHERE {where}",  # noqa: S608
            [TicketStatus.CLOSED.value, at, at, *params],
        )
        where, params = ids_in("ticket_id", close)
        for model in (TicketClock, CustomerWait, FollowUp):
            execute(
                f"UPDATE {table(model)} SET stopped_at = %s WHERE {where} AND stopped_at IS NULL",  # noqa: S608
                [at, *params],
            )
        _log_actions(close, action="closed", body=note, now=now, internal=False)
        _notify_customers(close, kind=Kind.TICKET_CLOSED, title="Your request is closed: ", body=note)


def helpdesk_remind_customers(*, now: datetime, batch_size: int | None = None) -> int:
    size = batch_size or settings.HELPDESK_SWEEP_BATCH_SIZE
    return WAITS.sweep(stage="escalate", now=now, batch_size=size, handle=lambda rows: _waits_due(rows, now=now))


def helpdesk_sweep(*, now: datetime) -> dict[str, int]:
    return {
        "breached": helpdesk_escalate_breached(now=now),
        "warned": helpdesk_warn_near_target(now=now),
        "follow_ups_due": helpdesk_follow_ups_due(now=now),
        "customers_reminded_or_closed": helpdesk_remind_customers(now=now),
    }
