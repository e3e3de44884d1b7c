"""Responses to reviews and their moderation.

A seller member's response goes through the standards check (``reviews.services.standards``):
clean, it is published at once; flagged, it waits for a moderator (``pending_moderation``) and is
not shown to the buyer. Staff responses are published as written. One live (published or pending)
response per review and author kind, backed by a partial unique constraint.

The response clock stops when a response is *submitted* (the seller acted in time, even if a
moderator still has to look at it) and restarts when a moderator hides it or asks for an edit:
``Review.first_response_at`` is always the earliest live response.

Moderators approve, request an edit or hide. Each violation a moderator upholds (edit requested or
hidden) is a ``SellerStrike``; the seller's members are told why.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min

from accounts.models import User
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.sla import clock_restart, clock_stop
from core.text import NOTICE_PREVIEW_LENGTH, clean_text, preview
from marketplace.selectors.scoping import user_is_seller_member
from notifications.services.notify import notify
from reviews.models import (
    LIVE_RESPONSE_STATUSES,
    RESPONSE_TRANSITIONS,
    AuthorKind,
    ResponseClock,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewEvent,
    ReviewResponse,
    ReviewStatus,
    SellerStrike,
    Violation,
)
from reviews.notices import Kind
from reviews.services.access import user_may_moderate_responses, user_may_respond_as_staff
from reviews.services.common import clean_body, moderators, seller_members
from reviews.services.standards import describe_violations, standards_check
from reviews.services.templates import response_template_render
from webhooks.models import EventType
from webhooks.services.events import webhook_event_record


def responder_kind(*, review: Review, user: User) -> str:
    """What the user answers as: the product seller's member, or staff; anyone else: 403."""
    if user_is_seller_member(user, review.seller_id):
        return AuthorKind.SELLER
    if user_may_respond_as_staff(user):
        return AuthorKind.STAFF
    raise Forbidden("Only the seller's members and support staff can respond to this review.")


def _refresh_first_response(review_id: int) -> None:
    """``first_response_at`` = the earliest live response (None: unanswered again)."""
    review = Review.objects.get(pk=review_id)
    first = ReviewResponse.objects.filter(review_id=review_id, status__in=LIVE_RESPONSE_STATUSES).aggregate(
        first=Min("created_at")
    )["first"]
    seconds = max(int((first - review.created_at).total_seconds()), 0) if first is not None else None
    if first != review.first_response_at:
        Review.objects.filter(pk=review_id).update(first_response_at=first, first_response_seconds=seconds)
    if (first is None) != (review.first_response_at is None):
        # Answered, or unanswered again (its only response hidden): the clock stops or runs on.
        clocks = ResponseClock.objects.filter(review_id=review_id)
        if first is not None:
            clock_stop(clocks, now=first)
        else:
            clock_restart(clocks)


def response_post(
    *,
    review: Review,
    author: User,
    body: Any = None,
    template: ResponseTemplate | None = None,
    context: Any = None,
    now: datetime,
) -> ReviewResponse:
    """Respond with ``body``, or with ``template`` rendered for this review (``context`` overrides
    placeholder values). Exactly one of the two."""
    kind = responder_kind(review=review, user=author)
    if (body is None) == (template is None):
        raise InvalidInput("Give either a body or a template.", code="body_or_template", field="body")
    if template is not None:
        if template.archived_at is not None or template.seller_id not in (None, review.seller_id):
            raise InvalidInput("This template cannot be used for this review.", code="not_usable", field="template")
        body = response_template_render(template=template, review=review, context=context)
    elif context is not None:
        raise InvalidInput("A context goes with a template.", code="no_template", field="context")
    body = clean_body(body)
    violations = standards_check(body) if kind == AuthorKind.SELLER else []
    status = ResponseStatus.PENDING_MODERATION if violations else ResponseStatus.PUBLISHED
    with transaction.atomic():
        locked = Review.objects.select_for_update().select_related("buyer", "product").get(pk=review.pk)
        if locked.status != ReviewStatus.PUBLISHED:
            raise StateConflict("Only a published review can be answered.", code="review_not_published")
        live = ReviewResponse.objects.filter(review_id=locked.pk, author_kind=kind, status__in=LIVE_RESPONSE_STATUSES)
        if live.exists():
            raise StateConflict("This review already has a response of yours.", code="already_responded")
        try:
            with transaction.atomic():
                response = ReviewResponse.objects.create(
                    review=locked,
                    author=author,
                    author_kind=kind,
                    seller_id=locked.seller_id if kind == AuthorKind.SELLER else None,
                    template=template,
                    body=body,
                    status=status,
                    flagged=bool(violations),
                    flag_reasons=violations,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError as error:  # two responses at the same moment
            raise StateConflict("This review already has a response of yours.", code="already_responded") from error
        _refresh_first_response(locked.pk)
        ReviewEvent.objects.create(
            review=locked, response=response, kind=ReviewEvent.Kind.RESPONDED, actor=author, created_at=now
        )
        if violations:
            reasons = describe_violations(violations)
            ReviewEvent.objects.create(
                review=locked,
                response=response,
                kind=ReviewEvent.Kind.RESPONSE_FLAGGED,
                note=reasons,
                data={"violations": violations},
                created_at=now,
            )
            notify(
                recipients=[author],
                kind=Kind.REVIEW_RESPONSE_FLAGGED,
                title="Your response is waiting for a moderator",
                body=f"It may break the response standards: {reasons}. The customer will see it once a "
                "moderator approves it.",
                link=f"/seller/reviews/{locked.pk}/",
            )
            notify(
                recipients=moderators(),
                kind=Kind.REVIEW_RESPONSE_FLAGGED,
                title=f"Flagged response to \u201c{locked.title}\u201d",
                body=reasons,
                link="/admin/reviews/reviewresponse/?status=pending_moderation",
            )
        else:
            _tell_buyer(locked, response)
            _record_responded(locked.pk, now=now)
    return response


def _record_responded(review_id: int, *, now: datetime) -> None:
    """``review.responded`` when a response becomes visible with the review: at once when it
    passes the standards, or when a moderator approves a flagged one (never while it waits)."""
    webhook_event_record(event_type=EventType.REVIEW_RESPONDED, resource_id=review_id, now=now)


def _tell_buyer(review: Review, response: ReviewResponse) -> None:
    notify(
        recipients=[review.buyer],
        kind=Kind.REVIEW_RESPONSE,
        title=f"A response to your review of {review.product.name}",
        body=preview(response.body, NOTICE_PREVIEW_LENGTH),
        link=f"/reviews/{review.pk}/",
    )


def _clean_violations(violations: Any, *, default: list[str]) -> list[str]:
    if violations is None:
        return list(default)
    if not isinstance(violations, list) or any(code not in Violation.values for code in violations):
        raise InvalidInput("Give a list of violation codes.", code="invalid_choice", field="violations")
    return list(dict.fromkeys(violations))


def _moderate(
    *,
    response: ReviewResponse,
    actor: User,
    to_status: str,
    event_kind: str,
    reason: str,
    violations: list[str],
    now: datetime,
) -> ReviewResponse:
    if not user_may_moderate_responses(actor):
        raise Forbidden("Only moderators can moderate responses.")
    with transaction.atomic():
        locked = ReviewResponse.objects.select_for_update().get(pk=response.pk)
        if to_status not in RESPONSE_TRANSITIONS[locked.status]:
            raise StateConflict(f"A {locked.status} response cannot become {to_status}.", code="invalid_transition")
        ReviewResponse.objects.filter(pk=locked.pk).update(
            status=to_status, moderated_by=actor, moderated_at=now, moderation_reason=reason, updated_at=now
        )
        if locked.seller_id is not None and violations:
            SellerStrike.objects.bulk_create(
                [
                    SellerStrike(
                        seller_id=locked.seller_id,
                        response=locked,
                        violation=code,
                        moderator=actor,
                        reason=reason,
                        created_at=now,
                    )
                    for code in violations
                ],
                ignore_conflicts=True,
            )
        _refresh_first_response(locked.review_id)
        ReviewEvent.objects.create(
            review_id=locked.review_id,
            response=locked,
            kind=event_kind,
            actor=actor,
            note=reason,
            data={"violations": violations},
            created_at=now,
        )
        locked.refresh_from_db()
        review = Review.objects.select_related("buyer", "product").get(pk=locked.review_id)
        recipients = seller_members(locked.seller_id) if locked.seller_id else [locked.author]
        if to_status == ResponseStatus.PUBLISHED:
            notify(
                recipients=recipients,
                kind=Kind.REVIEW_RESPONSE_MODERATED,
                title=f"Your response to \u201c{review.title}\u201d was approved",
                body="It is now shown with the review.",
                link=f"/seller/reviews/{review.pk}/",
            )
            _tell_buyer(review, locked)
            _record_responded(review.pk, now=now)
        else:
            what = "hidden" if to_status == ResponseStatus.HIDDEN else "sent back for an edit"
            strikes = f" Violations upheld: {describe_violations(violations)}." if violations else ""
            notify(
                recipients=recipients,
                kind=Kind.REVIEW_RESPONSE_MODERATED,
                title=f"Your response to \u201c{review.title}\u201d was {what}",
                body=f"Moderator's reason: {reason}.{strikes}"
                + (" Please write a new response." if to_status == ResponseStatus.EDIT_REQUESTED else ""),
                link=f"/seller/reviews/{review.pk}/",
            )
    return locked


def response_approve(*, response: ReviewResponse, actor: User, now: datetime) -> ReviewResponse:
    """The flag was a false positive: publish the response (no strike)."""
    return _moderate(
        response=response,
        actor=actor,
        to_status=ResponseStatus.PUBLISHED,
        event_kind=ReviewEvent.Kind.RESPONSE_APPROVED,
        reason="",
        violations=[],
        now=now,
    )


def response_request_edit(
    *, response: ReviewResponse, actor: User, reason: Any, violations: Any = None, now: datetime
) -> ReviewResponse:
    """Send it back: hidden from the buyer until the seller writes a new response. ``violations``
    (default: what the check flagged) become strikes."""
    reason = clean_text(reason, field="reason", max_length=2000)
    return _moderate(
        response=response,
        actor=actor,
        to_status=ResponseStatus.EDIT_REQUESTED,
        event_kind=ReviewEvent.Kind.RESPONSE_EDIT_REQUESTED,
        reason=reason,
        violations=_clean_violations(violations, default=response.flag_reasons),
        now=now,
    )


def response_hide(
    *, response: ReviewResponse, actor: User, reason: Any, violations: Any = None, now: datetime
) -> ReviewResponse:
    reason = clean_text(reason, field="reason", max_length=2000)
    return _moderate(
        response=response,
        actor=actor,
        to_status=ResponseStatus.HIDDEN,
        event_kind=ReviewEvent.Kind.RESPONSE_HIDDEN,
        reason=reason,
        violations=_clean_violations(violations, default=response.flag_reasons),
        now=now,
    )
