"""The response-clock sweep: warn, then escalate, exactly once each, set-based.

State-based, not countdown tasks: each run looks at what is due *now*, so after the worker or
beat was down for hours the next run catches up on everything overdue, once.

Exactly once, also with several sweeps at the same moment: each batch is claimed and marked in one
statement, ``UPDATE ... WHERE escalated_at IS NULL AND id IN (SELECT ... FOR UPDATE OF inquiry,
conversation SKIP LOCKED LIMIT n) RETURNING ...`` (a concurrent sweep skips the rows this one
holds); the unique constraints on ``Escalation.inquiry`` and on the (inquiry, kind) audit row
are the database's last word. Audit rows, thread notices and notifications are written in the same
transaction.

The conversation is locked with the inquiry, never after it: every other writer (``message_post``,
``conversation_close``, ``inquiry_exclude``) locks the conversation first and then writes the
inquiry. A sweep holding the inquiry and then waiting for the conversation (to update it, or for
the key-share lock that inserting a row referencing it takes) deadlocked with a reply being posted
at that moment; now the sweep skips that pair and the reply wins (tests/inquiries/
test_sweep_concurrency.py).

Notifications are digests where one message per inquiry would drown people: support and
moderators get one notice per batch (one per run unless a backlog fills several batches), each
seller's members one per batch with the count; the buyer gets one per conversation (it is their
question). An inquiry whose deadline passed before any sweep warned about it (an outage) is
escalated without a warning.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from accounts.models import User
from accounts.selectors.users import staff_in_groups
from core.durations import duration_words as format_duration
from core.sql import db_datetime, execute, ids_in, in_claimed, row_locks_supported, table
from inquiries.models import (
    Conversation,
    ConversationEvent,
    ConversationStatus,
    Escalation,
    Inquiry,
    InquiryStatus,
    Message,
    MessageKind,
)
from inquiries.notices import Kind
from marketplace.models import Seller
from marketplace.selectors.scoping import seller_members_by_seller
from notifications.services.bulk import Draft, notify_from_select, notify_many

# Every write of a batch is one statement computed in the database (``UPDATE ... RETURNING``,
# ``INSERT ... SELECT``, ``core.sql``): a catch-up of 10,000 rows built 50,000 model instances and
# sent every value back as a parameter, which cost more than the writes.


def _lock_clause() -> str:
    """Lock the inquiry *and its conversation*, skipping any pair another transaction holds part of."""
    return "FOR UPDATE OF claimable, conversation SKIP LOCKED" if row_locks_supported() else ""


def _claim_and_mark(
    *, mark: str, where: str, order_by: str, params: Sequence[Any], now: datetime, batch_size: int
) -> list[dict[str, Any]]:
    """Claim up to ``batch_size`` inquiries matching ``where`` (locked with their conversations)
    and set ``mark`` to ``now`` on them, in one statement; returns them in claim order.

    The conditional ``mark IS NULL`` repeats the claim's condition: a row is marked once, whoever
    claims it."""
    inquiry = table(Inquiry)
    opening, closing = in_claimed()
    sql = f"""
        UPDATE {inquiry} SET {mark} = %s
        WHERE id {opening}
            SELECT claimable.id FROM {inquiry} AS claimable
            JOIN {table(Conversation)} AS conversation ON conversation.id = claimable.conversation_id
            WHERE {where}
            ORDER BY claimable.{order_by}
            LIMIT %s
            {_lock_clause()}
        {closing} AND {mark} IS NULL
        RETURNING id, conversation_id, seller_id, {order_by}
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [db_datetime(now), *params, batch_size])
        claimed = sorted(cursor.fetchall(), key=lambda row: (row[3], row[0]))
    return [
        {"id": pk, "conversation_id": conversation_id, "seller_id": seller_id}
        for pk, conversation_id, seller_id, _ in claimed
    ]


def _subjects(conversation_ids: Sequence[int]) -> dict[int, str]:
    where, params = ids_in("id", conversation_ids)
    sql = f"SELECT id, subject FROM {table(Conversation)} WHERE {where}"  # noqa: S608 (as above)
    return dict(execute(sql, params))


def _add_subjects(rows: Sequence[dict[str, Any]], subjects: Mapping[int, str]) -> None:
    for row in rows:
        row["conversation__subject"] = subjects.get(row["conversation_id"], "")


def inquiries_escalate_overdue(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every open inquiry whose response is due by ``now``; returns how many."""
    batch_size = batch_size or settings.INQUIRIES_SWEEP_BATCH_SIZE
    total = 0
    staff: list[User] | None = None  # read once per run, not once per batch
    while True:
        with transaction.atomic():
            rows = _claim_and_mark(
                mark="escalated_at",
                where="claimable.status = %s AND claimable.escalated_at IS NULL AND claimable.response_due_at <= %s",
                order_by="response_due_at",
                params=[InquiryStatus.OPEN.value, db_datetime(now)],
                now=now,
                batch_size=batch_size,
            )
            if not rows:
                return total
            if staff is None:
                staff = staff_in_groups("support", "moderator")
            _escalate_rows(rows, staff=staff, now=now)
            total += len(rows)
            if len(rows) < batch_size:
                return total


def _escalate_rows(rows: Sequence[dict[str, Any]], *, staff: Sequence[User], now: datetime) -> None:
    at = db_datetime(now)
    inquiry_ids, inquiry_params = ids_in("inquiry.id", [row["id"] for row in rows])
    inquiry, seller = table(Inquiry), table(Seller)
    execute(
        f"""
        INSERT INTO {table(Escalation)} (inquiry_id, conversation_id, escalated_at, resolution)
        SELECT inquiry.id, inquiry.conversation_id, %s, '' FROM {inquiry} AS inquiry
        WHERE {inquiry_ids} ORDER BY inquiry.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [at, *inquiry_params],
    )
    # A conversation closed meanwhile stays closed (the CASEs), but still gives its subject for
    # the digest: closing one closes its open inquiry under the same lock, so this is defensive.
    conversation_ids, conversation_params = ids_in("id", [row["conversation_id"] for row in rows])
    closed = ConversationStatus.CLOSED.value
    subjects = execute(
        f"""
        UPDATE {table(Conversation)} SET
            status = CASE WHEN status = %s THEN status ELSE %s END,
            escalated_at = CASE WHEN status = %s THEN escalated_at ELSE COALESCE(escalated_at, %s) END,
            updated_at = CASE WHEN status = %s THEN updated_at ELSE %s END
        WHERE {conversation_ids}
        RETURNING id, subject
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [closed, ConversationStatus.ESCALATED.value, closed, at, closed, at, *conversation_params],
    )
    _add_subjects(rows, dict(subjects))
    target = format_duration(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    execute(
        f"""
        INSERT INTO {table(Message)} (conversation_id, kind, body, created_at)
        SELECT inquiry.conversation_id, %s, seller.name || %s, %s
        FROM {inquiry} AS inquiry JOIN {seller} AS seller ON seller.id = inquiry.seller_id
        WHERE {inquiry_ids} ORDER BY inquiry.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [
            MessageKind.SYSTEM.value,
            f" hasn't replied within {target}, so our support team is on it now. We'll answer here as soon as we can.",
            at,
            *inquiry_params,
        ],
    )
    execute(
        f"""
        INSERT INTO {table(ConversationEvent)} (conversation_id, inquiry_id, kind, note, created_at)
        SELECT inquiry.conversation_id, inquiry.id, %s, %s, %s FROM {inquiry} AS inquiry
        WHERE {inquiry_ids} ORDER BY inquiry.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [ConversationEvent.Kind.ESCALATED.value, f"no seller reply within {target}", at, *inquiry_params],
    )
    # The buyer's notice, one per conversation (it is their question).
    notify_from_select(
        kind=Kind.INQUIRY_ESCALATED,
        select_sql=f"""
            SELECT conversation.buyer_id AS recipient_id, %s || conversation.subject AS title,
                   seller.name || %s AS body, %s || conversation.id || '/' AS link
            FROM {inquiry} AS inquiry
            JOIN {table(Conversation)} AS conversation ON conversation.id = inquiry.conversation_id
            JOIN {seller} AS seller ON seller.id = inquiry.seller_id
            WHERE {inquiry_ids} ORDER BY inquiry.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=[
            "Support is on it: ",
            f" hasn't replied within {target}, so our support team has taken over your question.",
            "/messages/",
            *inquiry_params,
        ],
    )
    drafts = _seller_digests(
        rows, kind=Kind.INQUIRY_ESCALATED, verb=("was escalated to support", "were escalated to support"), now=now
    )
    count = len(rows)
    for user in staff:
        drafts.append(
            Draft(
                recipient=user,
                kind=Kind.INQUIRY_ESCALATED,
                title=f"{count} inquir{'y' if count == 1 else 'ies'} escalated to the support queue",
                body="Buyers waited past the response target without a seller reply.",
                link="/admin/inquiries/escalation/?resolved=no",
            )
        )
    notify_many(drafts=drafts)


WILL_ESCALATE = "will be escalated within the hour"


def _seller_digests(
    rows: Sequence[Mapping[str, Any]], *, kind: Kind, verb: tuple[str, str], now: datetime
) -> list[Draft]:
    """``verb``: (singular, plural)."""
    by_seller: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        by_seller[row["seller_id"]].append(row)
    members = seller_members_by_seller(by_seller)
    drafts = []
    for seller_id, seller_rows in by_seller.items():
        count = len(seller_rows)
        subjects = "; ".join(row["conversation__subject"] for row in seller_rows[:5])
        link = f"/seller/conversations/{seller_rows[0]['conversation_id']}/" if count == 1 else "/seller/"
        for user in members.get(seller_id, []):
            drafts.append(
                Draft(
                    recipient=user,
                    kind=kind,
                    title=f"{count} buyer question{'s' if count != 1 else ''} {verb[count != 1]}",
                    body=subjects,
                    link=link,
                )
            )
    return drafts


def inquiries_warn_due(*, now: datetime, batch_size: int | None = None) -> int:
    """Warn once about every open inquiry past ``INQUIRIES_WARN_AFTER`` that is not yet due (an
    overdue one is escalated instead: a "reply soon" after the deadline would only confuse)."""
    batch_size = batch_size or settings.INQUIRIES_SWEEP_BATCH_SIZE
    total = 0
    staff: list[User] | None = None
    while True:
        with transaction.atomic():
            rows = _claim_and_mark(
                mark="warned_at",
                where=(
                    "claimable.status = %s AND claimable.warned_at IS NULL AND claimable.escalated_at IS NULL"
                    " AND claimable.warn_at <= %s AND claimable.response_due_at > %s"
                ),
                order_by="warn_at",
                params=[InquiryStatus.OPEN.value, db_datetime(now), db_datetime(now)],
                now=now,
                batch_size=batch_size,
            )
            if not rows:
                return total
            inquiry_ids, inquiry_params = ids_in("inquiry.id", [row["id"] for row in rows])
            _add_subjects(rows, _subjects([row["conversation_id"] for row in rows]))
            execute(
                f"""
                INSERT INTO {table(ConversationEvent)} (conversation_id, inquiry_id, kind, note, created_at)
                SELECT inquiry.conversation_id, inquiry.id, %s, '', %s FROM {table(Inquiry)} AS inquiry
                WHERE {inquiry_ids} ORDER BY inquiry.id
                """,  # noqa: S608 (identifiers from model metadata; values are parameters)
                [ConversationEvent.Kind.WARNED.value, db_datetime(now), *inquiry_params],
            )
            drafts = _seller_digests(rows, kind=Kind.INQUIRY_WARNING, verb=(WILL_ESCALATE, WILL_ESCALATE), now=now)
            count = len(rows)
            if staff is None:
                staff = staff_in_groups("support")
            for user in staff:
                drafts.append(
                    Draft(
                        recipient=user,
                        kind=Kind.INQUIRY_WARNING,
                        title=f"{count} inquir{'y' if count == 1 else 'ies'} near the response deadline",
                        body="Sellers have been reminded; these escalate to the queue if still unanswered.",
                        link="/admin/inquiries/inquiry/?status=open",
                    )
                )
            notify_many(drafts=drafts)
            total += len(rows)
            if len(rows) < batch_size:
                return total


def inquiries_sweep(*, now: datetime) -> dict[str, int]:
    escalated = inquiries_escalate_overdue(now=now)
    warned = inquiries_warn_due(now=now)
    return {"escalated": escalated, "warned": warned}
