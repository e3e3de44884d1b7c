"""The response-clock sweep: warn, then escalate, exactly once each, set-based.

State-based, not countdown tasks: each run looks at what is due *now*, so after the worker or
beat was down for hours the next run catches up on everything overdue, once.

Exactly once, also with several sweeps at the same moment: each batch is claimed with
``SELECT ... FOR UPDATE OF inquiry, conversation SKIP LOCKED`` (a concurrent sweep skips the rows
this one holds), then marked with a conditional ``UPDATE ... WHERE escalated_at IS NULL``; the
unique constraints on ``Escalation.inquiry`` and on the (inquiry, kind) audit row are the
database's last word. Audit rows, thread notices and notifications are written in the same
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
from inquiries.services.messaging import format_duration
from inquiries.services.recipients import seller_members_by_seller, staff_in_groups
from notifications.bulk import Draft, notify_many
from notifications.models import Kind


def _claim(queryset: QuerySet[Inquiry], *, batch_size: int) -> list[dict[str, Any]]:
    """Lock up to ``batch_size`` inquiries *and their conversations* (skipping any pair another
    transaction holds part of) and read what the notices need, in one statement."""
    claimed = (
        queryset.select_related("conversation__buyer", "seller")
        .only(
            "id",
            "seller__name",
            "conversation__subject",
            "conversation__buyer__email",
            "conversation__buyer__is_active",
        )
        .select_for_update(skip_locked=True, of=("self", "conversation"))[:batch_size]
    )
    return [
        {
            "id": inquiry.pk,
            "conversation_id": inquiry.conversation_id,
            "seller_id": inquiry.seller_id,
            "seller__name": inquiry.seller.name,
            "conversation__subject": inquiry.conversation.subject,
            "buyer": inquiry.conversation.buyer,
        }
        for inquiry in claimed
    ]


def inquiries_escalate_overdue(*, now: datetime, batch_size: int | None = None) -> int:
    """Escalate every open inquiry whose response is due by ``now``; returns how many."""
    batch_size = batch_size or settings.INQUIRIES_SWEEP_BATCH_SIZE
    total = 0
    staff: list[User] | None = None  # read once per run, not once per batch
    while True:
        with transaction.atomic():
            rows = _claim(
                Inquiry.objects.filter(
                    status=InquiryStatus.OPEN, escalated_at__isnull=True, response_due_at__lte=now
                ).order_by("response_due_at"),
                batch_size=batch_size,
            )
            if not rows:
                return total
            Inquiry.objects.filter(id__in=[row["id"] for row in rows], escalated_at__isnull=True).update(
                escalated_at=now
            )
            if staff is None:
                staff = staff_in_groups("support", "moderator")
            _escalate_rows(rows, staff=staff, now=now)
            total += len(rows)
            if len(rows) < batch_size:
                return total


def _escalate_rows(rows: Sequence[Mapping[str, Any]], *, staff: Sequence[User], now: datetime) -> None:
    Escalation.objects.bulk_create(
        [Escalation(inquiry_id=row["id"], conversation_id=row["conversation_id"], escalated_at=now) for row in rows]
    )
    conversation_ids = [row["conversation_id"] for row in rows]
    Conversation.objects.filter(id__in=conversation_ids).exclude(status=ConversationStatus.CLOSED).update(
        status=ConversationStatus.ESCALATED, escalated_at=Coalesce("escalated_at", Value(now)), updated_at=now
    )
    target = format_duration(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    Message.objects.bulk_create(
        [
            Message(
                conversation_id=row["conversation_id"],
                kind=MessageKind.SYSTEM,
                body=(
                    f"{row['seller__name']} hasn't replied within {target}, so our support team is on "
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
                note=f"no seller reply within {target}",
                created_at=now,
            )
            for row in rows
        ]
    )
    drafts = [
        Draft(
            recipient=row["buyer"],
            kind=Kind.INQUIRY_ESCALATED,
            title=f"Support is on it: {row['conversation__subject']}",
            body=f"{row['seller__name']} hasn't replied within {target}, so our support team has taken "
            "over your question.",
            link=f"/messages/{row['conversation_id']}/",
        )
        for row in rows
    ]
    drafts += _seller_digests(rows, kind=Kind.INQUIRY_ESCALATED, verb="were escalated to support", now=now)
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
    staff: list[User] | None = None
    while True:
        with transaction.atomic():
            rows = _claim(
                Inquiry.objects.filter(
                    status=InquiryStatus.OPEN,
                    warned_at__isnull=True,
                    escalated_at__isnull=True,
                    warn_at__lte=now,
                    response_due_at__gt=now,
                ).order_by("warn_at"),
                batch_size=batch_size,
            )
            if not rows:
                return total
            Inquiry.objects.filter(id__in=[row["id"] for row in rows], warned_at__isnull=True).update(warned_at=now)
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
