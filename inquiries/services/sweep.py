"""The response-clock sweep: warn, then escalate, exactly once each, set-based (``core.sla``).

State-based, not countdown tasks: each run looks at what is due *now*, so after the worker or
beat was down for hours the next run catches up on everything overdue, once.

Per batch, a fixed number of statements whatever its size:

1. claim and mark: one ``UPDATE inquiry_clock SET escalated_at = now WHERE ... SKIP LOCKED ...
   RETURNING`` (``core.sla.ClockClaim``); a concurrent sweep skips the rows this one holds and the
   repeated ``escalated_at IS NULL`` marks a row once, whoever claims it;
2. the buyers' notices, one per conversation (it is their question): one ``INSERT ... SELECT``;
3. the seller members' digests, one per member of each seller concerned: one ``INSERT ... SELECT``
   grouped by seller;
4. the staff digests (support and moderators: a handful of rows);
5. escalating: the webhook events, one ``conversation.escalated`` per inquiry: one ``INSERT ...
   SELECT`` (``webhooks.services.events``), committed or rolled back with the claim.

The two ``INSERT ... SELECT`` join each claimed clock to its conversation and seller by primary key
(``core.sql.nested_loop_joins``: with its default costs the planner hashed all 1,000,000
conversations for 10,000 clocks, 0.36 s of a 0.4 s statement). That is all that is written per
inquiry: the clock row. The conversation's "escalated" state, its
thread notice and its history line are read from the clock (``Conversation.current_status``,
``inquiries.selectors.threads``), and the clock row, once escalated, is the support queue's
``Escalation``. Writing those as rows of their own cost most of a catch-up (10,000 escalations:
each was a non-HOT update of a conversation with ten indexes, a message, an audit row and a queue
row, and 110,000 deferred foreign-key checks at commit; bench/README.md).

Only the clock is locked. Every writer that stops a clock (a reply, a close, an exclusion) locks the
conversation first and then updates the clock; if the sweep holds that clock, the writer waits for
the sweep's commit and then sees the escalation (its reply resolves it). The sweep never waits for
anything a writer holds, so the two cannot deadlock.

An inquiry whose deadline passed before any sweep warned about it (an outage) is escalated without
a warning.
"""

from datetime import datetime
from typing import Any

from django.conf import settings

from accounts.models import User
from accounts.selectors.users import staff_in_groups
from core.durations import duration_words
from core.sla import ClockClaim, titles_agg
from core.sql import ids_in, nested_loop_joins, table
from inquiries.models import Conversation, InquiryClock
from inquiries.notices import Kind
from marketplace.models import Seller, SellerMembership
from notifications.services.bulk import Draft, notify_from_select, notify_many
from webhooks.models import EventType
from webhooks.services.events import webhook_events_record_from_select

CLAIM = ClockClaim(model=InquiryClock, key="inquiry_id", returning=("conversation_id",))
WILL_ESCALATE = "will be escalated within the hour"


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


DIGEST_SUBJECTS = 5  # subjects named in a seller's digest; the title gives the count


def _notify_sellers(where: str, params: list[object], *, kind: Kind, verb: tuple[str, str]) -> None:
    """One digest per member of each seller in the batch: the count and the first subjects, linked
    to the conversation when there is one, else to the dashboard. ``verb``: (singular, plural).

    Grouped by the clock's own ``seller_id``: only the first few conversations of each seller are
    read for their subjects (a catch-up of 10,000 reads 1,000 conversation rows, not 10,000)."""
    clock, conversation, membership = table(InquiryClock), table(Conversation), table(SellerMembership)
    ranked = f"""
        SELECT clock.seller_id, clock.conversation_id, clock.due_at, clock.inquiry_id,
               ROW_NUMBER() OVER (PARTITION BY clock.seller_id ORDER BY clock.due_at, clock.inquiry_id) AS rank,
               COUNT(*) OVER (PARTITION BY clock.seller_id) AS total
        FROM {clock} AS clock WHERE {where}
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    subjects = titles_agg("conversation.subject", order_by="ranked.due_at, ranked.inquiry_id")
    batch = f"""
        SELECT ranked.seller_id, MAX(ranked.total) AS total, MIN(ranked.conversation_id) AS first_id,
               {subjects} AS subjects
        FROM ({ranked}) AS ranked
        JOIN {conversation} AS conversation ON conversation.id = ranked.conversation_id
        WHERE ranked.rank <= %s
        GROUP BY ranked.seller_id
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    notify_from_select(
        kind=kind,
        select_sql=f"""
            SELECT membership.user_id AS recipient_id,
                   CASE WHEN batch.total = 1 THEN %s ELSE batch.total || %s END AS title,
                   batch.subjects AS body,
                   CASE WHEN batch.total = 1 THEN %s || batch.first_id || '/' ELSE %s END AS link
            FROM ({batch}) AS batch
            JOIN {membership} AS membership ON membership.seller_id = batch.seller_id
            ORDER BY batch.seller_id, membership.user_id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=[
            f"1 buyer question {verb[0]}",
            f" buyer questions {verb[1]}",
            "/seller/conversations/",
            "/seller/",
            *params,
            DIGEST_SUBJECTS,
        ],
    )


def _escalate(rows: list[tuple[Any, ...]], *, staff: list[User], now: datetime) -> None:
    with nested_loop_joins():  # each claimed clock's conversation and seller by primary key
        _notify_escalated(rows, staff=staff)
    _record_escalated(rows, now=now)


def _record_escalated(rows: list[tuple[Any, ...]], *, now: datetime) -> None:
    """One ``conversation.escalated`` per claimed inquiry (its conversation), in one ``INSERT ...
    SELECT`` in the batch's transaction: the claimed clocks read by primary key, in deadline order."""
    where, params = ids_in("clock.inquiry_id", [row[0] for row in rows])
    webhook_events_record_from_select(
        event_type=EventType.CONVERSATION_ESCALATED,
        select_sql=f"""
            SELECT clock.conversation_id AS resource_id FROM {table(InquiryClock)} AS clock
            WHERE {where} ORDER BY clock.due_at, clock.inquiry_id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=params,
        now=now,
    )


def _notify_escalated(rows: list[tuple[Any, ...]], *, staff: list[User]) -> None:
    """``rows``: the claimed clocks as ``(inquiry_id, conversation_id)``, in deadline order."""
    inquiry_ids = [row[0] for row in rows]
    where, params = ids_in("clock.inquiry_id", inquiry_ids)
    # The buyers' notices straight from the conversations the claim returned (not through the
    # clocks again): one conversation per claimed inquiry.
    conversations, conversation_params = ids_in("conversation.id", [row[1] for row in rows])
    target = duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    notify_from_select(
        kind=Kind.INQUIRY_ESCALATED,
        select_sql=f"""
            SELECT conversation.buyer_id AS recipient_id, %s || conversation.subject AS title,
                   seller.name || %s AS body, %s || conversation.id || '/' AS link
            FROM {table(Conversation)} AS conversation
            JOIN {table(Seller)} AS seller ON seller.id = conversation.seller_id
            WHERE {conversations} ORDER BY conversation.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=[
            "Support is on it: ",
            f" hasn't replied within {target}, so our support team has taken over your question.",
            "/messages/",
            *conversation_params,
        ],
    )
    _notify_sellers(
        where, params, kind=Kind.INQUIRY_ESCALATED, verb=("was escalated to support", "were escalated to support")
    )
    count = len(inquiry_ids)
    notify_many(
        drafts=[
            Draft(
                recipient=user,
                kind=Kind.INQUIRY_ESCALATED,
                title=f"{_plural(count, 'inquiry', 'inquiries')} escalated to the support queue",
                body="Buyers waited past the response target without a seller reply.",
                link="/admin/inquiries/escalation/?resolved=no",
            )
            for user in staff
        ]
    )


def _warn(rows: list[tuple[Any, ...]], *, staff: list[User]) -> None:
    inquiry_ids = [row[0] for row in rows]
    where, params = ids_in("clock.inquiry_id", inquiry_ids)
    with nested_loop_joins():
        _notify_sellers(where, params, kind=Kind.INQUIRY_WARNING, verb=(WILL_ESCALATE, WILL_ESCALATE))
    count = len(inquiry_ids)
    notify_many(
        drafts=[
            Draft(
                recipient=user,
                kind=Kind.INQUIRY_WARNING,
                title=f"{_plural(count, 'inquiry', 'inquiries')} near the response deadline",
                body="Sellers have been reminded; these escalate to the queue if still unanswered.",
                link="/admin/inquiries/inquiry/?status=open",
            )
            for user in staff
        ]
    )


class _Staff:
    """The staff to tell, read once per run (not once per batch) and only if a batch needs them."""

    def __init__(self, *groups: str) -> None:
        self.groups = groups
        self.users: list[User] | None = None

    def __call__(self) -> list[User]:
        if self.users is None:
            self.users = staff_in_groups(*self.groups)
        return self.users


def inquiries_escalate_overdue(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every open inquiry whose response is due by ``now``; returns how many."""
    size = batch_size or settings.INQUIRIES_SWEEP_BATCH_SIZE
    staff = _Staff("support", "moderator")
    return CLAIM.sweep(
        stage="escalate", now=now, batch_size=size, handle=lambda rows: _escalate(rows, staff=staff(), now=now)
    )


def inquiries_warn_due(*, now: datetime, batch_size: int | None = None) -> int:
    """Warn once about every open inquiry past ``INQUIRIES_WARN_AFTER`` that is not yet due (an
    overdue one is escalated instead: a "reply soon" after the deadline would only confuse)."""
    size = batch_size or settings.INQUIRIES_SWEEP_BATCH_SIZE
    staff = _Staff("support")
    return CLAIM.sweep(stage="warn", now=now, batch_size=size, handle=lambda rows: _warn(rows, staff=staff()))


def inquiries_sweep(*, now: datetime) -> dict[str, int]:
    escalated = inquiries_escalate_overdue(now=now)
    warned = inquiries_warn_due(now=now)
    return {"escalated": escalated, "warned": warned}
