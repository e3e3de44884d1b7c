"""The reads behind the HTML pages (``inquiries/views.py``), each scoped to the acting user and
N+1-free: a list page costs the same number of queries for 3 conversations as for 30.

Visibility is the one rule of the app: a buyer sees their own conversations, a seller member
those of their stores (``marketplace.selectors.scoping.member_seller_ids``); anything else is None
here and a 404 on the page.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from core.sql import execute, table
from inquiries.models import (
    Conversation,
    ConversationQuerySet,
    ConversationStatus,
    Message,
    MessageKind,
    ReplyTemplate,
    SellerStanding,
    StandingLevel,
)
from inquiries.selectors.threads import conversation_thread
from marketplace.selectors.scoping import member_seller_ids

OPEN_STATUSES = (ConversationStatus.AWAITING_REPLY, ConversationStatus.ESCALATED)
SNIPPET_LENGTH = 160


def _with_last_message(
    queryset: ConversationQuerySet, *, kinds: tuple[str, ...] | None = None
) -> QuerySet[Conversation]:
    """Annotate the latest message's kind and body (of ``kinds``, if given): two correlated
    subqueries in the same SELECT, so the list stays one query. The automatic acknowledgment is
    always skipped: it says nothing new."""
    latest = Message.objects.filter(conversation_id=OuterRef("pk")).exclude(kind=MessageKind.AUTO_ACK)
    if kinds is not None:
        latest = latest.filter(kind__in=kinds)
    latest = latest.order_by("-created_at", "-id")
    return queryset.with_clock_state().annotate(
        last_message_kind=Subquery(latest.values("kind")[:1]),
        last_message_body=Subquery(latest.values("body")[:1]),
    )


def buyer_conversations(*, buyer: User) -> QuerySet[Conversation]:
    """The buyer's own conversations, newest activity first, with the seller and the last message."""
    return _with_last_message(
        Conversation.objects.filter(buyer_id=buyer.pk).select_related("seller", "product", "order")
    ).order_by("-last_message_at", "-id")


def conversation_get_for_buyer(*, buyer: User, pk: int) -> Conversation | None:
    return (
        Conversation.objects.filter(pk=pk, buyer_id=buyer.pk)
        .with_clock_state()
        .select_related("seller", "product", "order")
        .first()
    )


def conversation_get_for_seller_member(*, user: User, pk: int) -> Conversation | None:
    return (
        Conversation.objects.filter(pk=pk, seller_id__in=member_seller_ids(user))
        .with_clock_state()
        .select_related("seller", "buyer", "product", "order")
        .first()
    )


def seller_inbox(*, seller_id: int) -> QuerySet[Conversation]:
    """Conversations waiting for the seller (escalated ones included: a seller reply still
    answers the buyer), the soonest due first, with the buyer's latest message."""
    return _with_last_message(
        Conversation.objects.filter(seller_id=seller_id, status__in=OPEN_STATUSES).select_related(
            "buyer", "product", "order"
        ),
        kinds=(MessageKind.BUYER,),
    ).order_by(F("response_due_at").asc(nulls_last=True), "id")


def seller_recent(*, seller_id: int) -> QuerySet[Conversation]:
    """Answered and closed conversations, latest activity first."""
    return _with_last_message(
        Conversation.objects.filter(seller_id=seller_id)
        .exclude(status__in=OPEN_STATUSES)
        .select_related("buyer", "product", "order")
    ).order_by("-last_message_at", "-id")


def conversation_messages(*, conversation: Conversation) -> list[Message]:
    """The thread, oldest first: the stored messages and the escalation notices of its clocks."""
    messages = Message.objects.filter(conversation_id=conversation.pk).select_related("author")
    messages = messages.order_by("created_at", "id")
    return conversation_thread(conversation_id=conversation.pk, messages=list(messages))


def reply_templates_for_seller(*, seller_id: int) -> QuerySet[ReplyTemplate]:
    """The seller's own quick replies first, then the platform's starters (``seller`` null)."""
    return ReplyTemplate.objects.filter(Q(seller_id=seller_id) | Q(seller__isnull=True)).order_by(
        F("seller_id").asc(nulls_last=True), "title", "id"
    )


def seller_has_responsive_badge(*, seller_id: int) -> bool:
    """The latest decided quarter earned the "Responsive seller" badge (an override counts)."""
    latest = SellerStanding.objects.filter(seller_id=seller_id).order_by("-period").first()
    return latest is not None and latest.effective_level == StandingLevel.RESPONSIVE


@dataclass(frozen=True)
class StandingDecisions:
    """A seller's decided quarters: the within-target % each decision was made on (by period
    label, e.g. ``2026-Q3``) and whether the latest one earned the badge."""

    within_target_pcts: dict[str, Decimal | None]
    has_responsive_badge: bool


def seller_standing_decisions(*, seller_id: int) -> StandingDecisions:
    """All of the seller's decided quarters in one query (four rows a year): the seller dashboard's
    badge and the earlier quarters its projected standing looks back on. Written out: on the
    dashboard's path, building this one query through the ORM cost more than running it."""
    decided = execute(
        f"SELECT period, within_target_pct, level, overridden_level FROM {table(SellerStanding)}"  # noqa: S608
        " WHERE seller_id = %s ORDER BY period DESC",
        [seller_id],
    )
    cents = Decimal(10) ** -SellerStanding._meta.get_field("within_target_pct").decimal_places
    latest_level = (decided[0][3] or decided[0][2]) if decided else None  # SellerStanding.effective_level
    return StandingDecisions(
        # As the ORM gives it (SQLite keeps a decimal as a number: quantized back to cents).
        within_target_pcts={
            period: None if pct is None else Decimal(str(pct)).quantize(cents) for period, pct, _, _ in decided
        },
        has_responsive_badge=latest_level == StandingLevel.RESPONSIVE,
    )
