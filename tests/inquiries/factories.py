from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.conf import settings
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from inquiries.models import (
    Conversation,
    Escalation,
    Inquiry,
    InquiryClock,
    InquiryStatus,
    Message,
    MessageKind,
    ReplyTemplate,
    SellerStanding,
    StandingLevel,
)
from marketplace.models import Seller
from tests.accounts.factories import BuyerFactory
from tests.marketplace.factories import SellerFactory


class ConversationFactory(DjangoModelFactory[Conversation]):
    """A bare conversation row; flows go through ``conversation_open`` (see ``open_conversation``)."""

    class Meta:
        model = Conversation

    buyer = factory.SubFactory(BuyerFactory)
    seller = factory.SubFactory(SellerFactory)
    subject = factory.Sequence(lambda n: f"Question {n}")
    last_message_at = factory.LazyFunction(timezone.now)


class ReplyTemplateFactory(DjangoModelFactory[ReplyTemplate]):
    class Meta:
        model = ReplyTemplate

    seller = factory.SubFactory(SellerFactory)
    title = factory.Sequence(lambda n: f"Reply {n}")
    body = "Hi {buyer_name}, thanks for asking about {product}."


# --- KPI rows (appended for the KPI / standing / export tests) ---------------------------------


class MessageFactory(DjangoModelFactory[Message]):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    kind = MessageKind.BUYER
    author = factory.SelfAttribute("conversation.buyer")
    body = "Is it still available?"
    created_at = factory.LazyFunction(timezone.now)


class InquiryFactory(DjangoModelFactory[Inquiry]):
    """An inquiry row (with its own conversation and opening buyer message) and its clock, as the
    messaging services leave them: the clock follows ``awaiting_since``; give the outcome (status,
    answered_at, ...) explicitly, or build it with ``inquiry_with_outcome`` below. ``warned_at`` /
    ``escalated_at`` go to the clock and, once the inquiry has stopped, to the ledger too (an open
    inquiry's escalation lives on its clock only, as the sweep leaves it)."""

    class Meta:
        model = Inquiry

    conversation = factory.SubFactory(ConversationFactory)
    seller = factory.SelfAttribute("conversation.seller")
    awaiting_since = factory.LazyFunction(timezone.now)
    opening_message = factory.SubFactory(
        MessageFactory,
        conversation=factory.SelfAttribute("..conversation"),
        created_at=factory.SelfAttribute("..awaiting_since"),
    )
    response_due_at = factory.LazyAttribute(lambda inquiry: inquiry.awaiting_since + settings.INQUIRIES_RESPONSE_TARGET)

    @classmethod
    def _create(cls, model_class: type[Inquiry], *args: Any, **kwargs: Any) -> Inquiry:
        is_open = kwargs.get("status", InquiryStatus.OPEN) == InquiryStatus.OPEN
        warned_at, escalated_at = kwargs.get("warned_at"), kwargs.get("escalated_at")
        if is_open:
            kwargs["warned_at"] = kwargs["escalated_at"] = None
        inquiry = super()._create(model_class, *args, **kwargs)
        InquiryClock.objects.create(**clock_fields(inquiry, warned_at=warned_at, escalated_at=escalated_at))
        return inquiry


def clock_fields(inquiry: Inquiry, *, warned_at: datetime | None, escalated_at: datetime | None) -> dict[str, Any]:
    """The clock the services give ``inquiry``: warned and escalated as given, stopped when the
    inquiry did."""
    stopped = None
    if inquiry.status != InquiryStatus.OPEN:
        stopped = inquiry.answered_at or inquiry.excluded_at or inquiry.closed_at or inquiry.awaiting_since
    return {
        "inquiry": inquiry,
        "conversation_id": inquiry.conversation_id,
        "seller_id": inquiry.seller_id,
        "warn_at": inquiry.awaiting_since + settings.INQUIRIES_WARN_AFTER,
        "due_at": inquiry.response_due_at,
        "warned_at": warned_at,
        "escalated_at": escalated_at,
        "stopped_at": stopped,
    }


def clocks_for(inquiries: list[Inquiry]) -> list[InquiryClock]:
    """The clocks of open inquiries written in bulk (``bulk_create`` skips ``_create``)."""
    return InquiryClock.objects.bulk_create(
        [InquiryClock(**clock_fields(inquiry, warned_at=None, escalated_at=None)) for inquiry in inquiries]
    )


class EscalationFactory(DjangoModelFactory[Escalation]):
    """An open escalation: an open inquiry whose clock the sweep escalated (pass
    ``inquiry__conversation`` to put it on a given conversation; queue fields such as ``assignee``
    as keywords). Flows go through ``inquiries_sweep``."""

    class Meta:
        model = Escalation

    escalated_at = factory.LazyFunction(timezone.now)
    inquiry = factory.SubFactory(InquiryFactory, escalated_at=factory.SelfAttribute("..escalated_at"))

    @classmethod
    def _create(cls, model_class: type[Escalation], *args: Any, **kwargs: Any) -> Escalation:
        inquiry = kwargs.pop("inquiry")
        kwargs.pop("escalated_at")
        if kwargs:  # queue fields: assignee, resolved_at...
            InquiryClock.objects.filter(pk=inquiry.pk).update(**kwargs)
        return Escalation.objects.get(pk=inquiry.pk)


def inquiry_with_outcome(
    *,
    seller: Seller,
    opened: datetime,
    outcome: str,
    after: timedelta | None = None,
    answered_by: User | None = None,
    escalated: bool = False,
    reason: str = "",
) -> Inquiry:
    """One KPI row as the messaging services leave it. ``outcome``: ``open``, ``seller`` (answered
    by the seller ``after``), ``staff`` (answered by support ``after``), ``excluded``, ``closed``
    (closed by the buyer ``after``)."""
    due = opened + settings.INQUIRIES_RESPONSE_TARGET
    fields: dict[str, Any] = {}
    if escalated or (outcome == "staff"):
        fields["escalated_at"] = due
    if outcome in ("seller", "staff"):
        assert after is not None
        at = opened + after
        fields |= {
            "status": InquiryStatus.ANSWERED if outcome == "seller" else InquiryStatus.ANSWERED_BY_STAFF,
            "answered_at": at,
            "answered_by": answered_by,
            "first_response_seconds": int(after.total_seconds()),
            "is_within_target": outcome == "seller" and at <= due,
        }
    elif outcome == "excluded":
        fields |= {
            "status": InquiryStatus.EXCLUDED,
            "excluded_at": opened + (after or timedelta(minutes=5)),
            "exclusion_reason": reason or "Just a thank-you",
        }
    elif outcome == "closed":
        assert after is not None
        fields |= {"status": InquiryStatus.CLOSED, "closed_at": opened + after}
    else:
        assert outcome == "open"
    return InquiryFactory(conversation__seller=seller, awaiting_since=opened, **fields)


class SellerStandingFactory(DjangoModelFactory[SellerStanding]):
    class Meta:
        model = SellerStanding

    seller = factory.SubFactory(SellerFactory)
    period = "2026-Q3"
    level = StandingLevel.WARNING
    inquiries = 20
    answered_within_target = 16
    within_target_pct = Decimal("80.00")
    tips = "16 of your 20 inquiries were answered within 4 hours."
    decided_at = factory.LazyFunction(timezone.now)
