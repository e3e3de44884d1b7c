"""The reviews sweep: escalate, exactly once each, set-based,

- negative reviews still unanswered ``REVIEWS_ESCALATE_AFTER`` (48 h) after they were written
  (their ``ResponseClock``), to senior support (``REVIEWS_SENIOR_SUPPORT_GROUPS``) and the seller;
- recovery follow-ups still open ``REVIEWS_FOLLOW_UP_PERIOD`` after the review (``due_at``).

State-based like the inquiries sweep, on the same toolkit (``core.sla``): each run takes whatever
is due *now*, so after an outage the next run catches up. A batch of reviews is claimed and marked
in one statement, ``UPDATE clock SET escalated_at ... WHERE escalated_at IS NULL AND review_id =
ANY(ARRAY(SELECT ... FOR UPDATE ... SKIP LOCKED LIMIT n)) RETURNING ...`` over the partial index of
the running clocks (a concurrent sweep skips the rows this one holds; the repeated ``IS NULL``
marks each once). The clock is its own narrow table so that escalating does not rewrite review
rows, and it is all that is written per review: the review's history reads the escalation from it
(``reviews.selectors.history``); an audit row per review and its deferred foreign-key check were
most of a 10,000-review catch-up (bench/README.md). Follow-ups are their own clock rows
(``due_at`` / ``escalated_at``) and keep an audit row each, as the customer's own "not resolved"
does. A fixed number of statements per batch, whatever its size. Notifications are digests: one
per staff member and one per seller member per batch. Both escalations write one webhook event
(``review.escalated``) per review, by one ``INSERT ... SELECT`` per batch in the batch's transaction.
"""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings

from accounts.models import User
from core.sla import ClockClaim, Join, titles_agg
from core.sql import db_datetime, execute, ids_in, table
from marketplace.models import SellerMembership
from notifications.services.bulk import Draft, notify_from_select, notify_many
from reviews.models import FollowUpStatus, RecoveryFollowUp, ResponseClock, Review, ReviewEvent, ReviewStatus
from reviews.notices import Kind
from reviews.services.common import senior_support
from webhooks.models import EventType
from webhooks.services.events import webhook_events_record_from_select


def _titles_sql(ids_where: str) -> str:
    """The first titles (by review id) of a seller's reviews among the batch, ``; ``-separated and
    cut at 300 characters: the digest's body."""
    titles = titles_agg("review.title", order_by="review.id")
    return f"""
        SELECT review.seller_id, COUNT(*) AS escalated, {titles} AS titles
        FROM {table(Review)} AS review WHERE {ids_where} GROUP BY review.seller_id
    """  # noqa: S608 (identifiers from model metadata; values are parameters)


def _notify_escalated(ids: Sequence[int], *, staff: Sequence[User], what: str, staff_link: str) -> None:
    """The digests of a batch of escalated reviews: one per staff member (their count and first
    titles), and one per member of each seller concerned, written in the database by one
    ``INSERT ... SELECT`` (a catch-up spans thousands of sellers)."""
    where, params = ids_in("review.id", ids)
    count = len(ids)
    if staff:
        # The first five by id, chosen here: asking the database for them would read every review
        # of the batch to sort them.
        first_where, first_params = ids_in("review.id", sorted(ids)[:5])
        first = execute(
            f"SELECT review.title FROM {table(Review)} AS review WHERE {first_where} ORDER BY review.id",  # noqa: S608
            first_params,
        )
        notify_many(
            drafts=[
                Draft(
                    recipient=user,
                    kind=Kind.REVIEW_ESCALATED,
                    title=f"{count} review{'s' if count != 1 else ''} escalated: {what}",
                    body="; ".join(title for (title,) in first),
                    link=staff_link,
                )
                for user in staff
            ]
        )
    notify_from_select(
        kind=Kind.REVIEW_ESCALATED,
        select_sql=f"""
            SELECT membership.user_id AS recipient_id,
                   batch.escalated || %s AS title, batch.titles AS body, %s AS link
            FROM ({_titles_sql(where)}) AS batch
            JOIN {table(SellerMembership)} AS membership ON membership.seller_id = batch.seller_id
            ORDER BY membership.user_id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=[f" of your reviews escalated to senior support: {what}", "/seller/reviews/", *params],
    )


UNANSWERED = ClockClaim(
    model=ResponseClock,
    key="review_id",
    # The review is read (still published, still unanswered), not locked: the sweep writes only the
    # clock and notices (no row referencing the review), so it never waits for a review that
    # ``response_post`` holds. A response being written when the sweep looks is escalated and then
    # stops the clock (its stop waits for the sweep's commit); one that has stopped the clock holds
    # it, and the sweep skips it (``SKIP LOCKED``). Locking 10,000 review rows as well cost a WAL
    # record and a dirtied page each.
    joins=(Join(model=Review, alias="review", on="review.id = claimable.review_id"),),
    where="review.status = %s AND review.first_response_at IS NULL",
    params=(ReviewStatus.PUBLISHED.value,),
    # The due clocks, then each one's review by primary key (bench/README.md: the planner's hash
    # join read all 244,000 unanswered reviews).
    nested_loops=True,
)
FOLLOW_UPS = ClockClaim(
    model=RecoveryFollowUp,
    key="review_id",
    running="claimable.status = %s AND claimable.escalated_at IS NULL",
    running_params=(FollowUpStatus.OPEN.value,),
    also_set={"status": FollowUpStatus.ESCALATED.value},
)


def _record_escalated(
    review_ids: Sequence[int], *, clock: type[ResponseClock | RecoveryFollowUp], now: datetime
) -> None:
    """One ``review.escalated`` per review of the batch, in one ``INSERT ... SELECT`` in the batch's
    transaction (the claimed clock rows, read by their key: the review's id)."""
    where, params = ids_in("clock.review_id", review_ids)
    webhook_events_record_from_select(
        event_type=EventType.REVIEW_ESCALATED,
        select_sql=f"""
            SELECT clock.review_id AS resource_id FROM {table(clock)} AS clock WHERE {where} ORDER BY clock.review_id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=params,
        now=now,
    )


def _escalate_unanswered(review_ids: list[int], *, staff: Sequence[User], now: datetime) -> None:
    hours = f"{settings.REVIEWS_ESCALATE_AFTER.total_seconds() / 3600:g}"
    _notify_escalated(
        review_ids,
        staff=staff,
        what=f"negative, unanswered after {hours} h",
        staff_link="/admin/reviews/review/?escalated=unanswered",
    )
    _record_escalated(review_ids, clock=ResponseClock, now=now)


def reviews_escalate_unanswered(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every published negative review unanswered past its clock's ``due_at``; returns
    how many. Per batch: claim-and-mark (the clock is all that is written per review: the history
    reads the escalation from it), the staff titles, the digests."""
    size = batch_size or settings.REVIEWS_SWEEP_BATCH_SIZE
    staff = _Staff()
    return UNANSWERED.sweep(
        stage="escalate",
        now=now,
        batch_size=size,
        handle=lambda rows: _escalate_unanswered([row[0] for row in rows], staff=staff(), now=now),
    )


def _escalate_follow_ups(review_ids: list[int], *, staff: Sequence[User], now: datetime) -> None:
    where, params = ids_in("review_id", review_ids)
    execute(
        f"""
        INSERT INTO {table(ReviewEvent)} (review_id, kind, note, data, created_at)
        SELECT review_id, %s, %s, %s, %s FROM {table(RecoveryFollowUp)}
        WHERE {where} ORDER BY review_id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [
            ReviewEvent.Kind.FOLLOW_UP_ESCALATED.value,
            "the customer's issue is still open after the follow-up period",
            "{}",
            db_datetime(now),
            *params,
        ],
    )
    _notify_escalated(
        review_ids,
        staff=staff,
        what="issue unresolved after the follow-up period",
        staff_link="/admin/reviews/recoveryfollowup/?status__exact=escalated",
    )
    # Escalated to senior support as well: the same event as an unanswered review's.
    _record_escalated(review_ids, clock=RecoveryFollowUp, now=now)


def reviews_escalate_follow_ups(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every recovery follow-up still open past its ``due_at``; returns how many."""
    size = batch_size or settings.REVIEWS_SWEEP_BATCH_SIZE
    staff = _Staff()
    return FOLLOW_UPS.sweep(
        stage="escalate",
        now=now,
        batch_size=size,
        handle=lambda rows: _escalate_follow_ups([row[0] for row in rows], staff=staff(), now=now),
    )


class _Staff:
    """Senior support, read once per run (not once per batch) and only if a batch needs them."""

    def __init__(self) -> None:
        self.users: list[User] | None = None

    def __call__(self) -> list[User]:
        if self.users is None:
            self.users = senior_support()
        return self.users


def reviews_sweep(*, now: datetime) -> dict[str, int]:
    return {
        "escalated": reviews_escalate_unanswered(now=now),
        "follow_ups_escalated": reviews_escalate_follow_ups(now=now),
    }
