"""The feedback log (the "Feedback" control on every page, ``POST /api/v1/feedback/``) and the
staff's re-categorisation of an entry or a survey answer, audited (``Recategorisation``)."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import User
from core.exceptions import Forbidden, InvalidInput
from core.text import clean_text
from feedback.models import (
    CategorySource,
    EntryKind,
    FeedbackEntry,
    Interface,
    Recategorisation,
    SurveyResponse,
)
from feedback.services.answers import rating_clean
from feedback.services.categorise import categorise, category_clean

PAGE_MAX_LENGTH = 300
RECATEGORISE_PERMISSIONS = {
    SurveyResponse: "feedback.change_surveyresponse",
    FeedbackEntry: "feedback.change_feedbackentry",
}


def interface_clean(value: Any) -> str:
    if not isinstance(value, str) or value not in Interface.values:
        choices = ", ".join(Interface.values)
        raise InvalidInput(f"Must be one of: {choices}.", code="invalid_choice", field="interface")
    return value


def feedback_log(
    *,
    interface: Any,
    body: Any,
    user: User | None,
    rating: Any = None,
    category: Any = "",
    page: Any = "",
    now: datetime,
) -> FeedbackEntry:
    """Log what someone said about a page (``user`` None: an anonymous visitor), categorised by
    their choice or the keyword rules; a rule that marks a feature request makes it one."""
    interface = interface_clean(interface)
    text = clean_text(body, field="body", max_length=settings.FEEDBACK_TEXT_MAX_LENGTH)
    stars = rating_clean(rating, field="rating", required=False)
    chosen = category_clean(category)
    path = clean_text(page, field="page", max_length=PAGE_MAX_LENGTH, required=False, single_line=True)
    found = categorise(text, chosen=chosen)
    author = user if user is not None and user.is_authenticated else None
    return FeedbackEntry.objects.create(
        interface=interface,
        user=author,
        rating=stars,
        body=text,
        page=path,
        kind=EntryKind.FEATURE_REQUEST if found.is_feature_request else EntryKind.FEEDBACK,
        category=found.category,
        category_source=found.source,
        created_at=now,
    )


def feedback_recategorise(
    *,
    target: SurveyResponse | FeedbackEntry,
    category: Any,
    is_feature_request: bool,
    reason: Any = "",
    actor: User,
    now: datetime,
) -> Recategorisation | None:
    """Staff set the category (blank: none) and the feature-request mark of an answer or an entry;
    the change is recorded (who, when, from, to, why). Nothing changes: nothing is recorded
    (``None``)."""
    permission = RECATEGORISE_PERMISSIONS[type(target)]
    if not actor.has_perm(permission):
        raise Forbidden("You may not re-categorise feedback.", code="forbidden")
    to_category = category_clean(category)
    why = clean_text(reason, field="reason", max_length=200, required=False, single_line=True)
    with transaction.atomic():
        locked = type(target).objects.select_for_update().get(pk=target.pk)
        if isinstance(locked, SurveyResponse):
            was_feature = locked.is_feature_request
        else:
            was_feature = locked.kind == EntryKind.FEATURE_REQUEST
        if locked.category == to_category and was_feature == is_feature_request:
            return None
        audit = Recategorisation.objects.create(
            response=locked if isinstance(locked, SurveyResponse) else None,
            entry=locked if isinstance(locked, FeedbackEntry) else None,
            from_category=locked.category,
            to_category=to_category,
            from_feature_request=was_feature,
            to_feature_request=is_feature_request,
            reason=why,
            actor=actor,
            created_at=now,
        )
        changes: dict[str, Any] = {"category": to_category, "category_source": CategorySource.STAFF}
        if isinstance(locked, SurveyResponse):
            changes["is_feature_request"] = is_feature_request
        else:
            changes["kind"] = EntryKind.FEATURE_REQUEST if is_feature_request else EntryKind.FEEDBACK
        type(locked).objects.filter(pk=locked.pk).update(**changes)
        for name, value in changes.items():
            setattr(target, name, value)
        return audit
