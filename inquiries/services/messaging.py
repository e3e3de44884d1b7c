"""Conversations and messages: the writes behind the buyer pages, the seller dashboard, the
console and the API. Each service is one transaction; the conversation row is locked while a
message changes its clock, so two messages posted at once cannot open two inquiries."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.selectors.users import is_staff_member, staff_in_groups
from core.durations import duration_words
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.sql import db_datetime, execute, table
from core.text import NOTICE_PREVIEW_LENGTH, clean_text, preview
from inquiries.models import (
    Conversation,
    ConversationEvent,
    ConversationStatus,
    ExclusionFlag,
    Inquiry,
    InquiryClock,
    InquiryStatus,
    Message,
    MessageKind,
    ReplyTemplate,
)
from inquiries.notices import Kind
from inquiries.selectors.kpis import seller_median_first_response_seconds
from inquiries.services.surveys import (
    conversation_survey_rearm,
    conversation_survey_request,
    conversation_survey_withdraw,
)
from marketplace.models import Order, Product, Seller
from marketplace.selectors.scoping import seller_members_by_seller, user_is_seller_member
from notifications.services.notify import notify
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record


def _clean_body(body: Any, *, field: str = "body") -> str:
    return clean_text(
        body, field=field, max_length=settings.INQUIRIES_MESSAGE_MAX_LENGTH, blank_message="A message cannot be empty."
    )


def author_kind(*, conversation: Conversation, user: User) -> str:
    """What a user is in this conversation: its buyer, a member of its seller, or staff."""
    if user.pk == conversation.buyer_id:
        return MessageKind.BUYER
    if user_is_seller_member(user, conversation.seller_id):
        return MessageKind.SELLER
    if is_staff_member(user):
        return MessageKind.STAFF
    raise Forbidden("You are not part of this conversation.")


def conversation_open(
    *,
    buyer: User,
    seller: Seller,
    subject: str,
    body: str,
    product: Product | None = None,
    order: Order | None = None,
    now: datetime,
) -> Conversation:
    """A buyer asks a seller: the conversation, the buyer's message, the inquiry and its clock,
    the automatic acknowledgment and the sellers' notifications, in one transaction."""
    subject = clean_text(
        subject, field="subject", max_length=200, blank_message="Give your question a subject.", single_line=True
    )
    body = _clean_body(body)
    if not seller.is_active:
        raise InvalidInput("This seller is not active.", code="inactive", field="seller")
    if product is not None and product.seller_id != seller.pk:
        raise InvalidInput("This product is not sold by this seller.", code="mismatch", field="product")
    if order is not None and (order.buyer_id != buyer.pk or order.seller_id != seller.pk):
        raise InvalidInput("This is not one of your orders with this seller.", code="mismatch", field="order")
    if user_is_seller_member(buyer, seller.pk):
        raise InvalidInput("You cannot ask your own store a question.", code="own_store", field="seller")
    with transaction.atomic():
        conversation = Conversation.objects.create(
            buyer=buyer, seller=seller, subject=subject, product=product, order=order, last_message_at=now
        )
        ConversationEvent.objects.create(
            conversation=conversation, kind=ConversationEvent.Kind.OPENED, actor=buyer, created_at=now
        )
        _buyer_message(conversation=conversation, buyer=buyer, body=body, now=now)
        webhook_event_record(event_type=EventType.CONVERSATION_OPENED, resource_id=conversation.pk, now=now)
    return conversation


def message_post(
    *, conversation: Conversation, author: User, body: str, template: ReplyTemplate | None = None, now: datetime
) -> Message:
    """Post a message as whoever the author is in this conversation (buyer, seller member, staff)."""
    kind = author_kind(conversation=conversation, user=author)
    body = _clean_body(body)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status == ConversationStatus.CLOSED:
            raise StateConflict("This conversation is closed.", code="conversation_closed")
        if kind == MessageKind.BUYER:
            message = _buyer_message(conversation=locked, buyer=author, body=body, now=now)
        else:
            message = _answer_message(
                conversation=locked, author=author, kind=kind, body=body, template=template, now=now
            )
    conversation.refresh_from_db()
    return message


def _open_inquiry(conversation: Conversation) -> Inquiry | None:
    return Inquiry.objects.filter(conversation=conversation, status=InquiryStatus.OPEN).first()


def _buyer_is_at_open_limit(*, buyer_id: int, seller_id: int) -> bool:
    """Whether the buyer already has ``INQUIRIES_KPI_OPEN_PER_BUYER`` counted inquiries waiting at
    the seller (in any of their conversations with it): a further one counts in no KPI figure; once
    the seller answers one of them, the buyer's next question counts again. Read from the buyer's
    conversations (their index), at most ``limit`` rows."""
    limit = settings.INQUIRIES_KPI_OPEN_PER_BUYER
    waiting = Inquiry.objects.filter(
        status=InquiryStatus.OPEN,
        is_over_open_limit=False,
        conversation__buyer_id=buyer_id,
        conversation__seller_id=seller_id,
    )
    return len(waiting.values_list("pk", flat=True)[:limit]) >= limit


def _buyer_message(*, conversation: Conversation, buyer: User, body: str, now: datetime) -> Message:
    message = Message.objects.create(
        conversation=conversation, kind=MessageKind.BUYER, author=buyer, body=body, created_at=now
    )
    if _open_inquiry(conversation) is not None:
        # The clock keeps running from the first unanswered message.
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now, updated_at=now)
        return message
    if conversation.first_response_at is not None:
        # The buyer writes again after an answer: the conversation is not settled, so a survey not
        # sent yet waits for the next answer (which re-arms it).
        conversation_survey_withdraw(conversation=conversation, now=now)
    inquiry = Inquiry.objects.create(
        conversation=conversation,
        seller_id=conversation.seller_id,
        opening_message=message,
        awaiting_since=now,
        response_due_at=now + settings.INQUIRIES_RESPONSE_TARGET,
        is_over_open_limit=_buyer_is_at_open_limit(buyer_id=buyer.pk, seller_id=conversation.seller_id),
    )
    InquiryClock.objects.create(
        inquiry=inquiry,
        conversation=conversation,
        seller_id=conversation.seller_id,
        warn_at=now + settings.INQUIRIES_WARN_AFTER,
        due_at=inquiry.response_due_at,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        status=ConversationStatus.AWAITING_REPLY,
        awaiting_since=inquiry.awaiting_since,
        response_due_at=inquiry.response_due_at,
        last_message_at=now,
        updated_at=now,
    )
    ConversationEvent.objects.create(
        conversation=conversation,
        inquiry=inquiry,
        kind=ConversationEvent.Kind.INQUIRY_OPENED,
        actor=buyer,
        created_at=now,
    )
    median = seller_median_first_response_seconds(seller_id=conversation.seller_id, now=now)
    usual = (
        duration_words(median)
        if median is not None
        else duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds())
    )
    seller_name = Seller.objects.values_list("name", flat=True).get(pk=conversation.seller_id)
    Message.objects.create(
        conversation=conversation,
        kind=MessageKind.AUTO_ACK,
        body=(
            f"Thanks for your message! {seller_name} usually replies within {usual}. "
            "We'll let you know as soon as they answer."
        ),
        created_at=now,
    )
    members = seller_members_by_seller([conversation.seller_id]).get(conversation.seller_id, [])
    notify(
        recipients=members,
        kind=Kind.INQUIRY_RECEIVED,
        title=f"New question from {buyer.display_name}: {conversation.subject}",
        body=f"{preview(body, NOTICE_PREVIEW_LENGTH)}\n\nPlease reply by {inquiry.response_due_at:%Y-%m-%d %H:%M} UTC.",
        link=f"/seller/conversations/{conversation.pk}/",
    )
    return message


def _answer_message(
    *, conversation: Conversation, author: User, kind: str, body: str, template: ReplyTemplate | None, now: datetime
) -> Message:
    message = Message.objects.create(
        conversation=conversation, kind=kind, author=author, body=body, template=template, created_at=now
    )
    inquiry = _open_inquiry(conversation)
    updates: dict[str, Any] = {"last_message_at": now, "updated_at": now}
    if inquiry is not None:
        seconds = max(int((now - inquiry.awaiting_since).total_seconds()), 0)
        by_seller = kind == MessageKind.SELLER
        clock = _stop_clock(
            inquiry=inquiry,
            actor=author,
            resolution="staff_replied" if kind == MessageKind.STAFF else "seller_replied",
            now=now,
        )
        Inquiry.objects.filter(pk=inquiry.pk, status=InquiryStatus.OPEN).update(
            status=InquiryStatus.ANSWERED if by_seller else InquiryStatus.ANSWERED_BY_STAFF,
            answered_at=now,
            answered_by=author,
            answering_message=message,
            first_response_seconds=seconds,
            # A staff answer is an escalated answer: never within the seller's target.
            is_within_target=by_seller and now <= inquiry.response_due_at,
            warned_at=clock.warned_at,
            escalated_at=clock.escalated_at,
        )
        ConversationEvent.objects.create(
            conversation=conversation,
            inquiry=inquiry,
            kind=ConversationEvent.Kind.ANSWERED,
            actor=author,
            note=f"answered by {kind} after {seconds} s",
            created_at=now,
        )
        _audit_resolution(conversation=conversation, clock=clock, actor=author, now=now)
        updates |= {"status": ConversationStatus.ANSWERED, "awaiting_since": None, "response_due_at": None}
        # "Answered" is each wait's answer: the seller's or staff's first reply after the buyer's
        # question (one per inquiry). Further replies while nothing waits, a close and a "no response
        # needed" exclusion are not answers.
        webhook_event_record(event_type=EventType.CONVERSATION_ANSWERED, resource_id=conversation.pk, now=now)
        conversation_survey_request(
            conversation=conversation,
            opened_at=inquiry.awaiting_since,
            resolved_at=now,
            agent_id=None if by_seller else author.pk,
            now=now,
        )
        if conversation.first_response_at is None:
            updates["first_response_at"] = now
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    notify(
        recipients=[conversation.buyer],
        kind=Kind.INQUIRY_ANSWERED,
        title=f"New reply: {conversation.subject}",
        body=preview(body, NOTICE_PREVIEW_LENGTH),
        link=f"/messages/{conversation.pk}/",
    )
    return message


@dataclass(frozen=True)
class StoppedClock:
    """What the clock had done when it stopped: the ledger keeps it (``Inquiry.warned_at`` /
    ``escalated_at``)."""

    inquiry_id: int | None = None
    warned_at: datetime | None = None
    escalated_at: datetime | None = None
    resolution: str = ""


def _stop_clock(*, inquiry: Inquiry, actor: User | None, resolution: str, now: datetime) -> StoppedClock:
    """Stop the inquiry's clock and, if it had escalated, resolve its escalation, in one
    ``UPDATE ... RETURNING`` (the caller audits it with ``_audit_resolution``). Callers hold the
    conversation's lock; a sweep holding the clock row (claimed, not yet committed) makes this wait
    for its commit, and the statement then sees the escalation it wrote: never a lost escalation,
    never a deadlock (the sweep locks nothing else)."""
    at = db_datetime(now)
    rows = execute(
        f"""
        UPDATE {table(InquiryClock)} SET
            stopped_at = %s,
            resolved_at = CASE WHEN escalated_at IS NULL THEN resolved_at ELSE %s END,
            resolved_by_id = CASE WHEN escalated_at IS NULL THEN resolved_by_id ELSE %s END,
            resolution = CASE WHEN escalated_at IS NULL THEN resolution ELSE %s END
        WHERE inquiry_id = %s AND stopped_at IS NULL
        RETURNING warned_at, escalated_at
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        [at, at, actor.pk if actor else None, resolution, inquiry.pk],
    )
    if not rows:
        return StoppedClock()
    warned_at, escalated_at = (_aware(value) for value in rows[0])
    return StoppedClock(inquiry_id=inquiry.pk, warned_at=warned_at, escalated_at=escalated_at, resolution=resolution)


def _audit_resolution(*, conversation: Conversation, clock: StoppedClock, actor: User | None, now: datetime) -> None:
    """The escalation's resolution in the history, when there was an escalation to resolve."""
    if clock.escalated_at is not None:
        ConversationEvent.objects.create(
            conversation=conversation,
            inquiry_id=clock.inquiry_id,
            kind=ConversationEvent.Kind.RESOLVED,
            actor=actor,
            note=clock.resolution,
            created_at=now,
        )


def _aware(value: Any) -> datetime | None:
    """A datetime column read by raw SQL, as the ORM gives it: SQLite hands back naive UTC values."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def conversation_close(*, conversation: Conversation, actor: User, now: datetime) -> Conversation:
    """The buyer or staff close a conversation. An inquiry still open is closed with it; an open
    escalation is resolved ("buyer closed" / "staff closed")."""
    kind = author_kind(conversation=conversation, user=actor)
    if kind == MessageKind.SELLER:
        raise Forbidden("Only the buyer or support can close a conversation.")
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.status == ConversationStatus.CLOSED:
            raise StateConflict("This conversation is already closed.", code="conversation_closed")
        inquiry = _open_inquiry(locked)
        if inquiry is not None:
            clock = _stop_clock(
                inquiry=inquiry,
                actor=actor,
                resolution="buyer_closed" if kind == MessageKind.BUYER else "staff_closed",
                now=now,
            )
            Inquiry.objects.filter(pk=inquiry.pk, status=InquiryStatus.OPEN).update(
                status=InquiryStatus.CLOSED, closed_at=now, warned_at=clock.warned_at, escalated_at=clock.escalated_at
            )
            _audit_resolution(conversation=locked, clock=clock, actor=actor, now=now)
            # Closing ends the wait: the conversation is surveyed (an answered one already was).
            conversation_survey_request(
                conversation=locked,
                opened_at=inquiry.awaiting_since,
                resolved_at=now,
                agent_id=actor.pk if kind == MessageKind.STAFF else None,
                now=now,
            )
        Conversation.objects.filter(pk=locked.pk).update(
            status=ConversationStatus.CLOSED,
            closed_at=now,
            closed_by=actor,
            awaiting_since=None,
            response_due_at=None,
            updated_at=now,
        )
        ConversationEvent.objects.create(
            conversation=locked, kind=ConversationEvent.Kind.CLOSED, actor=actor, created_at=now
        )
    conversation.refresh_from_db()
    return conversation


def inquiry_exclude(*, message: Message, actor: User, reason: str, now: datetime) -> Inquiry:
    """A seller marks a buyer message "no response needed" (a thank-you, spam): its open inquiry
    leaves the KPI. Audited; an unusual monthly share of exclusions is flagged to moderators."""
    conversation = message.conversation
    if not user_is_seller_member(actor, conversation.seller_id):
        raise Forbidden("Only the seller's members can mark a message as needing no response.")
    reason = clean_text(reason, field="reason", max_length=300, blank_message="Say why this message needs no response.")
    with transaction.atomic():
        Conversation.objects.select_for_update().get(pk=conversation.pk)
        inquiry = Inquiry.objects.filter(conversation=conversation, status=InquiryStatus.OPEN).first()
        if inquiry is None or message.created_at < inquiry.awaiting_since or message.kind != MessageKind.BUYER:
            raise StateConflict("This message is not awaiting a response.", code="not_awaiting")
        ConversationEvent.objects.create(
            conversation=conversation,
            inquiry=inquiry,
            kind=ConversationEvent.Kind.EXCLUDED,
            actor=actor,
            note=reason,
            created_at=now,
        )
        clock = _stop_clock(inquiry=inquiry, actor=actor, resolution="excluded", now=now)
        Inquiry.objects.filter(pk=inquiry.pk).update(
            status=InquiryStatus.EXCLUDED,
            excluded_at=now,
            excluded_by=actor,
            exclusion_reason=reason,
            warned_at=clock.warned_at,
            escalated_at=clock.escalated_at,
        )
        _audit_resolution(conversation=conversation, clock=clock, actor=actor, now=now)
        Conversation.objects.filter(pk=conversation.pk).update(
            status=ConversationStatus.ANSWERED, awaiting_since=None, response_due_at=None, updated_at=now
        )
        conversation_survey_rearm(conversation=conversation, now=now)
        _flag_unusual_exclusions(seller_id=conversation.seller_id, now=now)
    inquiry.refresh_from_db()
    return inquiry


def _flag_unusual_exclusions(*, seller_id: int, now: datetime) -> None:
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month = f"{now:%Y-%m}"
    if ExclusionFlag.objects.filter(seller_id=seller_id, month=month).exists():
        return
    from django.db.models import Count

    figures = Inquiry.objects.filter(seller_id=seller_id, awaiting_since__gte=month_start).aggregate(
        inquiries=Count("id"), excluded=Count("id", filter=Q(status=InquiryStatus.EXCLUDED))
    )
    inquiries, excluded = figures["inquiries"], figures["excluded"]
    if inquiries < settings.INQUIRIES_EXCLUSION_FLAG_MIN_INQUIRIES:
        return
    if excluded * 100 <= settings.INQUIRIES_EXCLUSION_FLAG_SHARE_PCT * inquiries:
        return
    ExclusionFlag.objects.create(
        seller_id=seller_id, month=month, inquiries=inquiries, excluded=excluded, created_at=now
    )
    seller_name = Seller.objects.values_list("name", flat=True).get(pk=seller_id)
    notify(
        recipients=staff_in_groups("moderator"),
        kind=Kind.INQUIRY_EXCLUSIONS_FLAGGED,
        title=f"{seller_name} marked {excluded} of {inquiries} inquiries as needing no response",
        body=f"That is more than {settings.INQUIRIES_EXCLUSION_FLAG_SHARE_PCT}% of this month's inquiries. "
        "Check the reasons in the console.",
        link="/admin/inquiries/exclusionflag/",
    )
