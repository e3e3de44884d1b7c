""" "Survey this interaction": the service the workflow apps call when an interaction is resolved
(``survey_request``) and when it reopens (``survey_withdraw``).

One invitation per interaction (``about_type`` + ``about_id``, a unique constraint). It waits
``FEEDBACK_SURVEY_DELAY`` before it is sent (the invitation sweep), so an interaction that reopens
meanwhile withdraws it, and resolving it again re-arms the same row. Once sent or answered it is
never replaced: asking twice, or two workers asking at once, leaves one invitation.
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from feedback.models import InteractionType, InvitationStatus, SurveyInvitation

_REARMABLE = (InvitationStatus.SCHEDULED, InvitationStatus.WITHDRAWN)


def new_token() -> str:
    """43 URL-safe characters (256 random bits): the link's only key."""
    return secrets.token_urlsafe(32)


def survey_request(
    *,
    about_type: InteractionType | str,
    about_id: int,
    about_label: str,
    customer: User,
    channel: str,
    resolved_at: datetime,
    now: datetime,
    about_url: str = "",
    seller_id: int | None = None,
    agent_id: int | None = None,
    order_id: int | None = None,
    category: str = "",
    topic: str = "",
    opened_at: datetime | None = None,
) -> SurveyInvitation | None:
    """Schedule the survey of a resolved interaction, copying its facts as they are now; re-arm a
    scheduled or withdrawn one (the interaction was resolved again). ``None`` when the customer
    cannot be surveyed (an inactive account)."""
    if not customer.is_active:
        return None
    resolution_seconds = None
    if opened_at is not None and resolved_at >= opened_at:
        resolution_seconds = int((resolved_at - opened_at).total_seconds())
    facts = {
        "about_label": about_label[:200],
        "about_url": about_url[:300],
        "customer": customer,
        "seller_id": seller_id,
        "agent_id": agent_id,
        "order_id": order_id,
        "channel": channel,
        "category": category,
        "topic": topic[:40],
        "resolved_at": resolved_at,
        "resolution_seconds": resolution_seconds,
        "send_after": now + settings.FEEDBACK_SURVEY_DELAY,
        "status": InvitationStatus.SCHEDULED,
        "withdrawn_at": None,
    }
    key = {"about_type": about_type, "about_id": about_id}
    with transaction.atomic():
        existing = SurveyInvitation.objects.select_for_update().filter(**key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return SurveyInvitation.objects.create(**key, **facts, token=new_token(), created_at=now)
            except IntegrityError:
                # Another worker created it between our read and our insert: theirs stands.
                existing = SurveyInvitation.objects.select_for_update().get(**key)
        if existing.status not in _REARMABLE:
            return existing
        SurveyInvitation.objects.filter(pk=existing.pk).update(**facts)
        existing.refresh_from_db()
        return existing


def survey_withdraw(*, about_type: InteractionType | str, about_id: int, now: datetime) -> bool:
    """The interaction reopened: a survey not sent yet is withdrawn (``True``). A sent one stays:
    the customer may still answer about the first resolution."""
    withdrawn = SurveyInvitation.objects.filter(
        about_type=about_type, about_id=about_id, status=InvitationStatus.SCHEDULED
    ).update(status=InvitationStatus.WITHDRAWN, withdrawn_at=now)
    return withdrawn > 0
