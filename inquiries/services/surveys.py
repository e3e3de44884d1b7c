"""The inquiries' side of "survey this interaction" (``feedback.services.invitations``): one survey
per buyer-seller conversation (the invitation's unique constraint), never one per message.

- A wait answered (by the seller, or by support once escalated) schedules the survey; support's
  answer names the agent.
- The buyer writing again opens a new wait: a survey not sent yet is withdrawn (the conversation
  is not settled), and the next answer re-arms the same invitation.
- Closing a conversation that waits (the buyer gives up, or support closes it unanswered) ends the
  wait too, so it is surveyed; closing one already answered keeps the survey that answer scheduled.
- A seller marking the buyer's new message "no response needed" (a thank-you) settles the
  conversation again: the survey withdrawn by that message is re-armed with the last answer's facts.

Each runs inside the messaging service's transaction, beside the inquiry it settles: the invitation
is a row the feedback sweep sends later, so it commits or rolls back with the answer.
"""

from datetime import datetime

from django.urls import reverse

from feedback.models import Category, Channel, InteractionType
from feedback.services.invitations import survey_request, survey_withdraw
from inquiries.models import Conversation, Inquiry, InquiryStatus
from marketplace.models import Seller


def conversation_survey_request(
    *,
    conversation: Conversation,
    opened_at: datetime,
    resolved_at: datetime,
    agent_id: int | None,
    now: datetime,
) -> None:
    """Schedule (or re-arm) the conversation's survey; ``agent_id``: the staff member who answered
    or closed it, ``None`` when the seller did."""
    seller_name = Seller.objects.values_list("name", flat=True).get(pk=conversation.seller_id)
    # A question about a product (and no order) is a product matter; the rest is the seller's service.
    is_about_product = conversation.product_id is not None and conversation.order_id is None
    survey_request(
        about_type=InteractionType.CONVERSATION,
        about_id=conversation.pk,
        about_label=f"Your question to {seller_name}: {conversation.subject}",
        about_url=reverse("messages-thread", args=[conversation.pk]),
        customer=conversation.buyer,
        channel=Channel.MESSAGING,
        seller_id=conversation.seller_id,
        agent_id=agent_id,
        order_id=conversation.order_id,
        category=Category.PRODUCT if is_about_product else Category.CUSTOMER_SERVICE,
        topic="product_question" if is_about_product else "question",
        opened_at=opened_at,
        resolved_at=resolved_at,
        now=now,
    )


def conversation_survey_withdraw(*, conversation: Conversation, now: datetime) -> None:
    survey_withdraw(about_type=InteractionType.CONVERSATION, about_id=conversation.pk, now=now)


def conversation_survey_rearm(*, conversation: Conversation, now: datetime) -> None:
    """Re-arm the survey of the conversation's last answer (after the wait that withdrew it was
    excluded); nothing if it was never answered."""
    last = (
        Inquiry.objects.filter(
            conversation_id=conversation.pk,
            status__in=[InquiryStatus.ANSWERED, InquiryStatus.ANSWERED_BY_STAFF],
        )
        .order_by("-answered_at", "-id")
        .values("awaiting_since", "answered_at", "answered_by_id", "status")
        .first()
    )
    if last is None:
        return
    conversation_survey_request(
        conversation=conversation,
        opened_at=last["awaiting_since"],
        resolved_at=last["answered_at"] or now,  # never None: an answered inquiry has its time
        agent_id=last["answered_by_id"] if last["status"] == InquiryStatus.ANSWERED_BY_STAFF else None,
        now=now,
    )
