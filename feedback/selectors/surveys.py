"""Reads of the surveys for the customer's pages and the API (the CSAT figures are
``feedback.selectors.csat``)."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from feedback.models import InvitationStatus, SurveyInvitation

# The survey's questions, in the order the page and the API show them (the marketplace's own).
SURVEY_QUESTIONS: list[dict[str, Any]] = [
    {"name": "overall", "text": "Overall, how satisfied are you?", "kind": "scale", "required": True},
    {"name": "ease", "text": "How easy was it to get this resolved?", "kind": "scale", "required": False},
    {"name": "clear_solution", "text": "Was the solution clear?", "kind": "yes_no", "required": False},
    {"name": "response_time_ok", "text": "Was the response time satisfactory?", "kind": "yes_no", "required": False},
    {"name": "issues", "text": "What went wrong?", "kind": "text", "required": False},
    {"name": "suggestions", "text": "What could we improve?", "kind": "text", "required": False},
    {"name": "category", "text": "What was the problem about?", "kind": "category", "required": False},
]


def survey_invitation_list_open(*, user: User, now: datetime) -> QuerySet[SurveyInvitation]:
    """The caller's invitations that may be answered now (sent, not answered, not expired), the
    soonest to expire first."""
    return SurveyInvitation.objects.filter(customer=user, status=InvitationStatus.SENT, expires_at__gt=now).order_by(
        "expires_at", "id"
    )


def survey_invitation_get_by_token(*, token: str) -> SurveyInvitation | None:
    """The invitation of a link, whoever opens it (the token is the key); None for no such token."""
    if not isinstance(token, str) or not token or len(token) > 64 or "\x00" in token:
        return None
    return SurveyInvitation.objects.filter(token=token).first()
