"""The response-clock sweep: warn, then escalate, exactly once each, set-based.

State-based, not countdown tasks: each run looks at what is due *now*, so after the worker or
beat was down for hours the next run catches up on everything overdue, once.

Exactly once, also with several sweeps at the same moment: each batch is claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` (a concurrent sweep skips the rows this one holds), then
marked with a conditional ``UPDATE ... WHERE escalated_at IS NULL``; the unique constraints on
``Escalation.inquiry`` and on the (inquiry, kind) audit row are the database's last word.
Audit rows, thread notices and notifications are written in the same transaction.

Notifications are digests where one message per inquiry would drown people: support and
moderators get one notice per sweep run, each seller's members one per run with the count; the
buyer gets one per conversation (it is their question).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce

from accounts.models import User
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
from inquiries.services.recipients import seller_members_by_seller, staff_in_groups
from notifications.bulk import Draft, notify_many
from notifications.models import Kind


def _claim(queryset: QuerySet[Inquiry], *, batch_size: int) -> list[int]:
    return list(queryset.select_for_update(skip_locked=True).values_list("id", flat=True)[:batch_size])


def inquiries_escalate_overdue(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every open inquiry whose response is due by ``now``; returns how many."""
    batch_size = batch_size or settings.INQUIRIES_SWEEP_BATCH_SIZE
    total = 0
    while True:
        with transaction.atomic():
            claimed = _claim(
                Inquiry.objects.filter(
                    status=InquiryStatus.OPEN, escalated_at__isnull=True, response_due_at__lte=now
                ).order_by("response_due_at"),
                batch_size=batch_size,
            )
            if not claimed:
                return total
            Inquiry.objects.filter(id__in=claimed, escalated_at__isnull=True).update(escalated_at=now)
            rows = list(
                Inquiry.objects.filter(id__in=claimed).values(
                    "id",
                    "conversation_id",
                    "seller_id",
                    "seller__name",
                    "conversation__buyer_id",
                    "conversation__subject",
                )
            )
            _escalate_rows(rows, now=now)
            total += len(rows)
            if len(claimed) < batch_size:
                return total


def _escalate_rows(rows: Sequence[Mapping[str, Any]], *, now: datetime) -> None:
    Escalation.objects.bulk_create(
        [Escalation(inquiry_id=row["id"], conversation_id=row["conversation_id"], escalated_at=now) for row in rows]
    )
    conversation_ids = [row["conversation_id"] for row in rows]
    Conversation.objects.filter(id__in=conversation_ids).exclude(status=ConversationStatus.CLOSED).update(
        status=ConversationStatus.ESCALATED, escalated_at=Coalesce("escalated_at", Value(now)), updated_at=now
    )
    target_hours = f"{settings.INQUIRIES_RESPONSE_TARGET.total_seconds() / 3600:g}"
    Message.objects.bulk_create(
        [
            Message(
                conversation_id=row["conversation_id"],
                kind=MessageKind.SYSTEM,
                body=(
                    f"{row['seller__name']} hasn't replied within {target_hours} hours, so our support team is on "
                    "it now. We'll answer here as soon as we can."
                ),
                created_at=now,
            )
            for row in rows
        ]
    )
    ConversationEvent.objects.bulk_create(
        [
            ConversationEvent(
                conversation_id=row["conversation_id"],
                inquiry_id=row["id"],
                kind=ConversationEvent.Kind.ESCALATED,
                note=f"no seller reply within {target_hours} h",
                created_at=now,
            )
            for row in rows
        ]
    )
    buyers = User.objects.in_bulk({row["conversation__buyer_id"] for row in rows})
    drafts = [
        Draft(
            recipient=buyers[row["conversation__buyer_id"]],
            kind=Kind.INQUIRY_ESCALATED,
            title=f"Support is on it: {row['conversation__subject']}",
            body=f"{row['seller__name']} hasn't replied within {target_hours} hours, so our support team has taken "
            "over your question.",
            link=f"/messages/{row['conversation_id']}/",
        )
        for row in rows
    ]
    drafts += _seller_digests(rows, kind=Kind.INQUIRY_ESCALATED, verb="were escalated to support", now=now)
    count = len(rows)
    for user in staff_in_groups("support", "moderator"):
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


def _seller_digests(rows: Sequence[Mapping[str, Any]], *, kind: Kind, verb: str, now: datetime) -> list[Draft]:
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
                    title=f"{count} buyer question{'s' if count != 1 else ''} {verb}",
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
    while True:
        with transaction.atomic():
            claimed = _claim(
                Inquiry.objects.filter(
                    status=InquiryStatus.OPEN,
                    warned_at__isnull=True,
                    escalated_at__isnull=True,
                    warn_at__lte=now,
                    response_due_at__gt=now,
                ).order_by("warn_at"),
                batch_size=batch_size,
            )
            if not claimed:
                return total
            Inquiry.objects.filter(id__in=claimed, warned_at__isnull=True).update(warned_at=now)
            rows = list(
                Inquiry.objects.filter(id__in=claimed).values(
                    "id", "conversation_id", "seller_id", "conversation__subject", "response_due_at"
                )
            )
            ConversationEvent.objects.bulk_create(
                [
                    ConversationEvent(
                        conversation_id=row["conversation_id"],
                        inquiry_id=row["id"],
                        kind=ConversationEvent.Kind.WARNED,
                        created_at=now,
                    )
                    for row in rows
                ]
            )
            drafts = _seller_digests(rows, kind=Kind.INQUIRY_WARNING, verb="will be escalated within the hour", now=now)
            count = len(rows)
            for user in staff_in_groups("support"):
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
            if len(claimed) < batch_size:
                return total


def inquiries_sweep(*, now: datetime) -> dict[str, int]:
    escalated = inquiries_escalate_overdue(now=now)
    warned = inquiries_warn_due(now=now)
    return {"escalated": escalated, "warned": warned}
