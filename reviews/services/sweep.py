"""The reviews sweep: escalate, exactly once each, set-based,

- negative reviews still unanswered ``REVIEWS_ESCALATE_AFTER`` (48 h) after they were written
  (their ``ResponseClock``), to senior support (``REVIEWS_SENIOR_SUPPORT_GROUPS``) and the seller;
- recovery follow-ups still open ``REVIEWS_FOLLOW_UP_PERIOD`` after the review (``due_at``).

State-based like the inquiries sweep: each run takes whatever is due *now*, so after an outage the
next run catches up. A batch of reviews is claimed and marked in one statement, ``UPDATE clock SET
escalated_at ... WHERE escalated_at IS NULL AND review_id = ANY(ARRAY(SELECT ... FOR UPDATE ...
SKIP LOCKED LIMIT n)) RETURNING ...`` over the partial index of the running clocks (a concurrent
sweep skips the rows this one holds), the audit rows are one ``INSERT ... SELECT`` and hit the
partial unique constraint ``rev_event_escalated_once`` if anything ever got through twice. The
clock is its own narrow table so that escalating does not rewrite review rows (see
``ResponseClock``). A fixed number of statements per batch, whatever its size. Notifications are
digests: one per staff member and one per seller member per batch.
"""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction

from accounts.models import User
from core.sql import db_datetime, execute, ids_in, in_claimed, nested_loop_joins, row_locks_supported, table
from marketplace.models import SellerMembership
from notifications.services.bulk import Draft, notify_from_select, notify_many
from reviews.models import FollowUpStatus, RecoveryFollowUp, ResponseClock, Review, ReviewEvent, ReviewStatus
from reviews.notices import Kind
from reviews.services.common import senior_support


def _titles_sql(ids_where: str) -> str:
    """The first titles (by review id) of a seller's reviews among the batch, ``; ``-separated and
    cut at 300 characters: the digest's body."""
    if connection.vendor == "postgresql":
        titles = "LEFT(string_agg(review.title, '; ' ORDER BY review.id), 300)"
    else:
        titles = "SUBSTR(group_concat(review.title, '; '), 1, 300)"
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
        first = execute(
            f"SELECT review.title FROM {table(Review)} AS review WHERE {where} ORDER BY review.id LIMIT 5",  # noqa: S608
            params,
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


def _claim_unanswered(*, now: datetime, batch_size: int) -> list[int]:
    """Claim and mark up to ``batch_size`` running clocks due by ``now`` in one statement; returns
    their review ids in claim order.

    The review is read (still published, still unanswered) and key-share locked with its clock,
    skipping any pair another transaction holds part of: ``response_post`` locks the review and
    then stops the clock, so a sweep that held the clock and then waited for the review (the
    key-share lock the event INSERT below takes) would deadlock with it; now the reply wins."""
    clock, review = table(ResponseClock), table(Review)
    opening, closing = in_claimed()
    locks = "FOR UPDATE OF claimable SKIP LOCKED FOR KEY SHARE OF review SKIP LOCKED" if row_locks_supported() else ""
    sql = f"""
        UPDATE {clock} SET escalated_at = %s
        WHERE review_id {opening}
            SELECT claimable.review_id FROM {clock} AS claimable
            JOIN {review} AS review ON review.id = claimable.review_id
            WHERE NOT claimable.answered AND claimable.escalated_at IS NULL AND claimable.escalate_at <= %s
                AND review.status = %s AND review.first_response_at IS NULL
            ORDER BY claimable.escalate_at, claimable.review_id
            LIMIT %s
            {locks}
        {closing} AND escalated_at IS NULL
        RETURNING review_id, escalate_at
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    at = db_datetime(now)
    with nested_loop_joins():  # the due clocks, then each one's review by primary key
        rows = execute(sql, [at, at, ReviewStatus.PUBLISHED.value, batch_size])
    return [review_id for review_id, _ in sorted(rows, key=lambda row: (row[1], row[0]))]


def reviews_escalate_unanswered(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every published negative review unanswered past its clock's ``escalate_at``;
    returns how many. Per batch: claim-and-mark, the audit rows, the titles, the digests."""
    batch_size = batch_size or settings.REVIEWS_SWEEP_BATCH_SIZE
    hours = f"{settings.REVIEWS_ESCALATE_AFTER.total_seconds() / 3600:g}"
    total = 0
    staff: list[User] | None = None
    while True:
        with transaction.atomic():
            ids = _claim_unanswered(now=now, batch_size=batch_size)
            if not ids:
                return total
            where, params = ids_in("review_id", ids)
            execute(
                f"""
                INSERT INTO {table(ReviewEvent)} (review_id, kind, note, data, created_at)
                SELECT review_id, %s, %s, %s, %s FROM {table(ResponseClock)}
                WHERE {where} ORDER BY review_id
                """,  # noqa: S608 (identifiers from model metadata; values are parameters)
                [ReviewEvent.Kind.ESCALATED.value, f"unanswered after {hours} h", "{}", db_datetime(now), *params],
            )
            if staff is None:
                staff = senior_support()
            _notify_escalated(
                ids,
                staff=staff,
                what=f"negative, unanswered after {hours} h",
                staff_link="/admin/reviews/review/?escalated=unanswered",
            )
            total += len(ids)
            if len(ids) < batch_size:
                return total


def reviews_escalate_follow_ups(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every recovery follow-up still open past its ``due_at``; returns how many."""
    batch_size = batch_size or settings.REVIEWS_SWEEP_BATCH_SIZE
    total = 0
    staff: list[User] | None = None
    while True:
        with transaction.atomic():
            due = RecoveryFollowUp.objects.filter(
                status=FollowUpStatus.OPEN, escalated_at__isnull=True, due_at__lte=now
            ).order_by("due_at", "id")
            claimed = list(due.select_for_update(skip_locked=True).values_list("id", "review_id")[:batch_size])
            if not claimed:
                return total
            RecoveryFollowUp.objects.filter(id__in=[row[0] for row in claimed], escalated_at__isnull=True).update(
                status=FollowUpStatus.ESCALATED, escalated_at=now
            )
            review_ids = [row[1] for row in claimed]
            ReviewEvent.objects.bulk_create(
                [
                    ReviewEvent(
                        review_id=review_id,
                        kind=ReviewEvent.Kind.FOLLOW_UP_ESCALATED,
                        note="the customer's issue is still open after the follow-up period",
                        created_at=now,
                    )
                    for review_id in review_ids
                ]
            )
            if staff is None:
                staff = senior_support()
            _notify_escalated(
                review_ids,
                staff=staff,
                what="issue unresolved after the follow-up period",
                staff_link="/admin/reviews/recoveryfollowup/?status__exact=escalated",
            )
            total += len(claimed)
            if len(claimed) < batch_size:
                return total


def reviews_sweep(*, now: datetime) -> dict[str, int]:
    return {
        "escalated": reviews_escalate_unanswered(now=now),
        "follow_ups_escalated": reviews_escalate_follow_ups(now=now),
    }
