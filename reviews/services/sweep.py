"""The reviews sweep: escalate, exactly once each, set-based,

- negative reviews still unanswered ``REVIEWS_ESCALATE_AFTER`` (48 h) after they were written
  (``Review.escalate_at``), to senior support (``REVIEWS_SENIOR_SUPPORT_GROUPS``) and the seller;
- recovery follow-ups still open ``REVIEWS_FOLLOW_UP_PERIOD`` after the review (``due_at``).

State-based like the inquiries sweep: each run takes whatever is due *now*, so after an outage the
next run catches up. Each batch is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a
concurrent sweep skips the rows this one holds) over a partial index of just the candidates, marked
with a conditional ``UPDATE ... WHERE escalated_at IS NULL``, and the audit rows hit the partial
unique constraint ``rev_event_escalated_once`` if anything ever got through twice. A fixed number
of statements per batch (claim, mark, events, recipients, notifications), whatever its size.
Notifications are digests: one per staff member and one per seller member per batch.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from inquiries.services.recipients import seller_members_by_seller
from notifications.bulk import Draft, notify_many
from notifications.models import Kind
from reviews.models import FollowUpStatus, RecoveryFollowUp, Review, ReviewEvent, ReviewStatus
from reviews.services.common import senior_support


def _digests(rows: Sequence[tuple[int, int, str]], *, staff: Sequence[User], what: str, link: str) -> list[Draft]:
    """``rows``: (review id, seller id, title)."""
    count = len(rows)
    plural = "s" if count != 1 else ""
    drafts = [
        Draft(
            recipient=user,
            kind=Kind.REVIEW_ESCALATED,
            title=f"{count} review{plural} escalated: {what}",
            body="; ".join(title for _, _, title in rows[:5]),
            link=link,
        )
        for user in staff
    ]
    by_seller: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for row in rows:
        by_seller[row[1]].append(row)
    members = seller_members_by_seller(by_seller)
    for seller_id, seller_rows in by_seller.items():
        titles = "; ".join(title for _, _, title in seller_rows[:5])
        for user in members.get(seller_id, []):
            drafts.append(
                Draft(
                    recipient=user,
                    kind=Kind.REVIEW_ESCALATED,
                    title=f"{len(seller_rows)} of your reviews escalated to senior support: {what}",
                    body=titles,
                    link="/seller/reviews/",
                )
            )
    return drafts


def reviews_escalate_unanswered(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every published negative review unanswered past ``escalate_at``; returns how many."""
    batch_size = batch_size or settings.REVIEWS_SWEEP_BATCH_SIZE
    total = 0
    staff: list[User] | None = None
    while True:
        with transaction.atomic():
            due: QuerySet[Review] = Review.objects.filter(
                escalate_at__isnull=False,
                first_response_at__isnull=True,
                escalated_at__isnull=True,
                escalate_at__lte=now,
                status=ReviewStatus.PUBLISHED,
            ).order_by("escalate_at", "id")
            rows = list(due.select_for_update(skip_locked=True).values_list("id", "seller_id", "title")[:batch_size])
            if not rows:
                return total
            ids = [row[0] for row in rows]
            Review.objects.filter(id__in=ids, escalated_at__isnull=True).update(escalated_at=now, updated_at=now)
            hours = f"{settings.REVIEWS_ESCALATE_AFTER.total_seconds() / 3600:g}"
            ReviewEvent.objects.bulk_create(
                [
                    ReviewEvent(
                        review_id=review_id,
                        kind=ReviewEvent.Kind.ESCALATED,
                        note=f"unanswered after {hours} h",
                        created_at=now,
                    )
                    for review_id in ids
                ]
            )
            if staff is None:
                staff = senior_support()
            notify_many(
                drafts=_digests(
                    rows,
                    staff=staff,
                    what=f"negative, unanswered after {hours} h",
                    link="/admin/reviews/review/?escalated=yes",
                )
            )
            total += len(rows)
            if len(rows) < batch_size:
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
            rows = list(Review.objects.filter(id__in=review_ids).order_by("id").values_list("id", "seller_id", "title"))
            if staff is None:
                staff = senior_support()
            notify_many(
                drafts=_digests(
                    rows, staff=staff, what="issue unresolved after the follow-up period", link="/admin/reviews/"
                )
            )
            total += len(claimed)
            if len(claimed) < batch_size:
                return total


def reviews_sweep(*, now: datetime) -> dict[str, int]:
    return {
        "escalated": reviews_escalate_unanswered(now=now),
        "follow_ups_escalated": reviews_escalate_follow_ups(now=now),
    }
