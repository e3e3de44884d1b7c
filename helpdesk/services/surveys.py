"""The help desk's side of "survey this interaction" (``feedback.services.invitations``): a
resolved ticket schedules its customer's survey, a reopened one withdraws it.

Both run inside the ticket service's transaction (not on commit): the invitation is a row, not a
message (the feedback sweep sends it ``FEEDBACK_SURVEY_DELAY`` later), so it commits or rolls back
with the resolution itself: a resolution that fails leaves no survey, and a worker dying between
the commit and an on-commit hook cannot lose one.

A ticket closed without a resolution (the customer went silent after the reminders, or staff
closed one that waited on them) is not surveyed: nothing was resolved to rate, and the sweep that
closes them in bulk stays set-based.
"""

from datetime import datetime

from django.urls import reverse

from feedback.models import Category as FeedbackCategory
from feedback.models import InteractionType
from feedback.services.invitations import survey_request, survey_withdraw
from helpdesk.models import Category, Ticket
from marketplace.models import Order

# The ticket's category as one of feedback's six problem categories.
FEEDBACK_CATEGORY: dict[str, str] = {
    Category.ORDER_STATUS: FeedbackCategory.SHIPPING_DELIVERY,
    Category.INVOICE: FeedbackCategory.PAYMENT_BILLING,
    Category.RECEIPT: FeedbackCategory.PAYMENT_BILLING,
    Category.PAYMENT: FeedbackCategory.PAYMENT_BILLING,
    Category.OTHER: FeedbackCategory.CUSTOMER_SERVICE,
}


def ticket_survey_request(*, ticket: Ticket, now: datetime) -> None:
    """Schedule the survey of a ticket just resolved (``resolved_at``, ``resolved_by`` set). The
    agent is who resolved it, else its assignee; the seller is the order's, if the ticket has one."""
    seller_id = None
    if ticket.order_id is not None:
        seller_id = Order.objects.filter(pk=ticket.order_id).values_list("seller_id", flat=True).first()
    survey_request(
        about_type=InteractionType.TICKET,
        about_id=ticket.pk,
        about_label=f"Help request {ticket.reference}: {ticket.subject}",
        about_url=reverse("support-ticket", args=[ticket.pk]),
        customer=ticket.customer,
        channel=ticket.channel,
        agent_id=ticket.resolved_by_id or ticket.assignee_id,
        seller_id=seller_id,
        order_id=ticket.order_id,
        category=FEEDBACK_CATEGORY.get(ticket.category, FeedbackCategory.CUSTOMER_SERVICE),
        topic=ticket.category,
        opened_at=ticket.created_at,
        resolved_at=ticket.resolved_at or now,
        now=now,
    )


def ticket_survey_withdraw(*, ticket: Ticket, now: datetime) -> None:
    """The customer reopened the ticket: a survey not sent yet is withdrawn (resolving it again
    re-arms the same invitation)."""
    survey_withdraw(about_type=InteractionType.TICKET, about_id=ticket.pk, now=now)
