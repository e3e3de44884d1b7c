"""The customer's answer to a survey (``survey_answer``): the page and the API call this one
service, so the two refuse the same things the same way.

The token is the only key (no login): an unknown token, or one whose invitation was never sent or
was withdrawn, is a 404; an expired one a 410; an answered one a 409. The invitation row is locked
for the answer (``select_for_update``), so two POSTs at once write one response and the other gets
the 409. The response copies the invitation's facts (seller, agent, channel, type, resolution
time) so that every report reads one table.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from core.exceptions import Gone, InvalidInput, NotFound, StateConflict
from core.text import clean_text
from feedback.models import InvitationStatus, SurveyInvitation, SurveyResponse
from feedback.services.categorise import categorise, category_clean
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def rating_clean(value: Any, *, field: str, required: bool) -> int | None:
    """1 to 5 (an integer, or its digits as text from a form); blank is ``None`` when optional."""
    if value is None or value == "":
        if required:
            raise InvalidInput("Choose a rating from 1 to 5.", code="required", field=field)
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput("Must be a whole number from 1 to 5.", code="invalid_choice", field=field)
    return value


def yes_no_clean(value: Any, *, field: str) -> bool | None:
    """Yes, no, or not answered (``None``): a boolean, or a form's text for one."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidInput("Must be yes (true), no (false) or left out.", code="invalid", field=field)


def _required_rating(value: Any) -> int:
    rating = rating_clean(value, field="overall", required=True)
    if rating is None:  # never: a required rating is refused when blank
        raise InvalidInput("Choose a rating from 1 to 5.", code="required", field="overall")
    return rating


@dataclass(frozen=True)
class Answers:
    overall: int
    ease: int | None
    clear_solution: bool | None
    response_time_ok: bool | None
    issues: str
    suggestions: str
    category: str


def answers_clean(
    *,
    overall: Any,
    ease: Any = None,
    clear_solution: Any = None,
    response_time_ok: Any = None,
    issues: Any = "",
    suggestions: Any = "",
    category: Any = "",
) -> Answers:
    """Every answer checked, the first refusal as ``InvalidInput`` on its field."""
    limit = settings.FEEDBACK_TEXT_MAX_LENGTH
    return Answers(
        overall=_required_rating(overall),
        ease=rating_clean(ease, field="ease", required=False),
        clear_solution=yes_no_clean(clear_solution, field="clear_solution"),
        response_time_ok=yes_no_clean(response_time_ok, field="response_time_ok"),
        issues=clean_text(issues, field="issues", max_length=limit, required=False),
        suggestions=clean_text(suggestions, field="suggestions", max_length=limit, required=False),
        category=category_clean(category),
    )


def invitation_answerable(invitation: SurveyInvitation | None, *, now: datetime) -> SurveyInvitation:
    """The invitation if it may be answered at ``now``; else the error the link answers with."""
    if invitation is None or invitation.status in (InvitationStatus.SCHEDULED, InvitationStatus.WITHDRAWN):
        raise NotFound("No such survey.", code="not_found")
    if invitation.status == InvitationStatus.ANSWERED:
        raise StateConflict("This survey has already been answered. Thank you!", code="already_answered")
    if invitation.expires_at is not None and invitation.expires_at <= now:
        raise Gone("This survey has expired.", code="expired")
    return invitation


def survey_answer(
    *,
    token: str,
    overall: Any,
    ease: Any = None,
    clear_solution: Any = None,
    response_time_ok: Any = None,
    issues: Any = "",
    suggestions: Any = "",
    category: Any = "",
    now: datetime,
) -> SurveyResponse:
    """Record the customer's answer to the survey ``token`` (single use) and categorise it."""
    if not isinstance(token, str) or "\x00" in token:  # PostgreSQL refuses NUL in text: no such survey
        raise NotFound("No such survey.", code="not_found")
    with transaction.atomic():
        locked = SurveyInvitation.objects.select_for_update().filter(token=token[:64]).first()
        invitation = invitation_answerable(locked, now=now)
        answers = answers_clean(
            overall=overall,
            ease=ease,
            clear_solution=clear_solution,
            response_time_ok=response_time_ok,
            issues=issues,
            suggestions=suggestions,
            category=category,
        )
        found = categorise(answers.issues, answers.suggestions, chosen=answers.category)
        response = SurveyResponse.objects.create(
            invitation=invitation,
            overall=answers.overall,
            satisfied=answers.overall >= settings.FEEDBACK_SATISFIED_MIN,
            ease=answers.ease,
            clear_solution=answers.clear_solution,
            response_time_ok=answers.response_time_ok,
            issues=answers.issues,
            suggestions=answers.suggestions,
            category=found.category,
            category_source=found.source,
            is_feature_request=found.is_feature_request,
            interaction_type=invitation.about_type,
            channel=invitation.channel,
            seller_id=invitation.seller_id,
            agent_id=invitation.agent_id,
            order_id=invitation.order_id,
            resolution_seconds=invitation.resolution_seconds,
            created_at=now,
        )
        SurveyInvitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ANSWERED, answered_at=now)
        invitation.status, invitation.answered_at = InvitationStatus.ANSWERED, now
        webhook_event_record(event_type=EventType.SURVEY_ANSWERED, resource_id=response.pk, now=now)
        return response
