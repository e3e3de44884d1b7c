from datetime import UTC, datetime, timedelta

import factory
from factory.django import DjangoModelFactory

from feedback.models import CategoryRule, FeedbackEntry, InvitationStatus, SurveyInvitation, SurveyResponse
from feedback.services.invitations import new_token
from tests.accounts.factories import BuyerFactory

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class SurveyInvitationFactory(DjangoModelFactory[SurveyInvitation]):
    """A sent invitation about a resolved ticket, valid 14 days from ``T0``."""

    class Meta:
        model = SurveyInvitation

    token = factory.LazyFunction(new_token)
    status = InvitationStatus.SENT
    about_type = "ticket"
    about_id = factory.Sequence(lambda n: n + 1)
    about_label = factory.LazyAttribute(lambda invitation: f"Request HD-{invitation.about_id:06d}")
    about_url = factory.LazyAttribute(lambda invitation: f"/support/{invitation.about_id}/")
    customer = factory.SubFactory(BuyerFactory)
    channel = "web"
    resolved_at = T0 - timedelta(hours=1)
    send_after = T0 - timedelta(minutes=30)
    sent_at = T0
    expires_at = T0 + timedelta(days=14)
    created_at = T0 - timedelta(hours=1)


class ScheduledInvitationFactory(SurveyInvitationFactory):
    status = InvitationStatus.SCHEDULED
    sent_at = None
    expires_at = None


class SurveyResponseFactory(DjangoModelFactory[SurveyResponse]):
    class Meta:
        model = SurveyResponse

    invitation = factory.SubFactory(SurveyInvitationFactory, status=InvitationStatus.ANSWERED)
    overall = 4
    satisfied = factory.LazyAttribute(lambda response: response.overall >= 4)
    interaction_type = "ticket"
    channel = "web"
    created_at = T0


class FeedbackEntryFactory(DjangoModelFactory[FeedbackEntry]):
    class Meta:
        model = FeedbackEntry

    interface = "checkout"
    body = "The coupon field is hard to find."
    created_at = T0


class CategoryRuleFactory(DjangoModelFactory[CategoryRule]):
    class Meta:
        model = CategoryRule

    keyword = factory.Sequence(lambda n: f"keyword{n}")
    category = "technical"
    position = 100
    created_at = T0
