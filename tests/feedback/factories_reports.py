"""Report-side factories: bare survey rows (an invitation and its answer) and feedback log entries
with the facts the reports group by. Flows go through ``feedback.services``; these only set up
history for the report selectors."""

from datetime import UTC, datetime, timedelta

import factory
from factory.django import DjangoModelFactory

from feedback.models import (
    ActionPlan,
    CategoryOwner,
    Channel,
    EntryKind,
    FeedbackEntry,
    InteractionType,
    Interface,
    InvitationStatus,
    SurveyInvitation,
    SurveyResponse,
)
from tests.accounts.factories import BuyerFactory, StaffFactory

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


class ReportInvitationFactory(DjangoModelFactory[SurveyInvitation]):
    """A sent invitation (``sent_at`` = ``created_at``)."""

    class Meta:
        model = SurveyInvitation

    token = factory.Sequence(lambda n: f"report-token-{n:08d}")
    status = InvitationStatus.SENT
    about_type = InteractionType.TICKET
    about_id = factory.Sequence(lambda n: 500_000 + n)
    about_label = factory.Sequence(lambda n: f"Ticket T-{n}")
    customer = factory.SubFactory(BuyerFactory, username="survey-customer")
    channel = Channel.WEB
    resolved_at = factory.LazyAttribute(lambda invitation: invitation.created_at - timedelta(minutes=30))
    send_after = factory.SelfAttribute("created_at")
    sent_at = factory.SelfAttribute("created_at")
    created_at = T0


class ReportResponseFactory(DjangoModelFactory[SurveyResponse]):
    """An answer; ``overall`` decides ``satisfied`` (4 or 5). Its invitation was sent an hour earlier."""

    class Meta:
        model = SurveyResponse

    overall = 5
    satisfied = factory.LazyAttribute(lambda response: response.overall >= 4)
    category = ""
    interaction_type = InteractionType.TICKET
    channel = Channel.WEB
    seller = None
    agent = None
    resolution_seconds = None
    created_at = T0
    invitation = factory.SubFactory(
        ReportInvitationFactory,
        created_at=factory.LazyAttribute(lambda invitation: invitation.factory_parent.created_at - timedelta(hours=1)),
        status=InvitationStatus.ANSWERED,
        channel=factory.SelfAttribute("..channel"),
        about_type=factory.SelfAttribute("..interaction_type"),
    )


class ReportEntryFactory(DjangoModelFactory[FeedbackEntry]):
    class Meta:
        model = FeedbackEntry

    interface = Interface.SUPPORT
    body = "Something went wrong."
    kind = EntryKind.FEEDBACK
    category = ""
    created_at = T0


class ActionPlanFactory(DjangoModelFactory[ActionPlan]):
    class Meta:
        model = ActionPlan

    category = "shipping_delivery"
    title = factory.Sequence(lambda n: f"Action {n}")
    what_changes = "Courier pickup moved to the morning."
    owner = factory.SubFactory(StaffFactory)
    due_on = factory.LazyAttribute(lambda plan: plan.effective_on)
    effective_on = T0.date()
    created_at = T0
    updated_at = T0


class CategoryOwnerFactory(DjangoModelFactory[CategoryOwner]):
    class Meta:
        model = CategoryOwner

    category = "shipping_delivery"
    user = factory.SubFactory(StaffFactory)
