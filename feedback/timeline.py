"""Feedback's part of a customer's console timeline (``core.timeline``): the survey answers they
gave and the feedback they sent from the pages, newest first: two statements with a ``LIMIT``
(the answers through their invitation's customer, the entries through their user)."""

from datetime import datetime

from core.timeline import TimelineEntry, console_url
from feedback.models import FeedbackEntry, SurveyResponse


def _stars(value: int | None) -> str:
    return f"{value}/5" if value else ""


def customer_entries(user_id: int, *, limit: int, before: datetime | None) -> list[TimelineEntry]:
    answers = SurveyResponse.objects.filter(invitation__customer_id=user_id).select_related("invitation")
    entries = FeedbackEntry.objects.filter(user_id=user_id)
    if before is not None:
        answers = answers.filter(created_at__lt=before)
        entries = entries.filter(created_at__lt=before)
    timeline = [
        TimelineEntry(
            at=answer.created_at,
            kind="survey_answer",
            title=f"Survey answer {_stars(answer.overall)} about {answer.invitation.about_label}",
            summary=" · ".join(text for text in (answer.issues, answer.suggestions) if text)[:200],
            url=console_url(SurveyResponse, answer.pk),
            app="feedback",
            status="Satisfied" if answer.satisfied else "Not satisfied",
        )
        for answer in answers.order_by("-created_at", "-id")[:limit]
    ]
    timeline.extend(
        TimelineEntry(
            at=entry.created_at,
            kind="feedback",
            title=f"{entry.get_kind_display()} from the {entry.get_interface_display().lower()}"
            + (f" ({_stars(entry.rating)})" if entry.rating else ""),
            summary=entry.body[:200],
            url=console_url(FeedbackEntry, entry.pk),
            app="feedback",
            status=entry.get_category_display() if entry.category else "Not categorised",
        )
        for entry in entries.order_by("-created_at", "-id")[:limit]
    )
    return timeline
