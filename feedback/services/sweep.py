"""The survey sweep: send the invitations that are due, and remind once, set-based.

- **send**: an invitation ``scheduled`` whose ``send_after`` has passed (the interaction did not
  reopen meanwhile: a reopening withdraws it) is claimed and marked ``sent`` in one
  ``UPDATE ... RETURNING`` (``sent_at`` now, ``expires_at`` now + ``FEEDBACK_SURVEY_VALID_FOR``);
  the customers' in-app notices are one ``INSERT ... SELECT`` over the claimed ids, and their
  emails are queued after commit by the notifications app (``notify_from_select``: one task per
  ``NOTIFICATIONS_EMAIL_BATCH_SIZE``, each claiming its rows, so nothing is mailed twice);
- **remind**: a ``sent`` invitation not answered, not reminded, ``FEEDBACK_SURVEY_REMINDER_AFTER``
  after it was sent and not yet expired gets one reminder the same way (``reminded_at``).

The claim locks the invitations it takes with ``FOR UPDATE SKIP LOCKED`` and re-checks the state
in the outer ``UPDATE``: two sweeps at once take disjoint batches, and ``survey_withdraw`` or
``survey_answer`` holding a row makes the sweep skip it until the next run. A fixed number of
statements per batch, whatever its size (tests pin it at 10 and 1,000 due).

The email text is ``templates/feedback/email/*.txt``, rendered once per batch with a marker where
the invitation's label goes and turned into a SQL concatenation, so each row's text is built in the
same ``INSERT ... SELECT``; the notifications app appends the absolute link (``SITE_URL``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats

from core.sla import sweep_in_batches
from core.sql import db_datetime, execute, ids_in, in_claimed, row_locks_supported, table
from feedback.models import InvitationStatus, SurveyInvitation
from feedback.notices import Kind
from notifications.services.bulk import notify_from_select

_ABOUT = "\u2063ABOUT\u2063"  # invisible separator: a marker no template text contains


def survey_link_sql(alias: str = "invitation") -> str:
    """The survey page's path of each row (``/surveys/<token>/``), in SQL."""
    return f"'/surveys/' || {alias}.token || '/'"


def template_sql(template: str, context: dict[str, Any], *, about_column: str) -> tuple[str, list[str]]:
    """``template`` rendered once, the invitation's label spliced in per row by SQL: the
    expression and its parameters."""
    parts = render_to_string(template, {**context, "about": _ABOUT}).strip().split(_ABOUT)
    expression = f" || {about_column} || ".join(["%s"] * len(parts))
    return expression, parts


@dataclass(frozen=True)
class _Stage:
    due: str  # the claimable rows' condition
    order: str
    mark: str  # the SET clause


_SEND = _Stage(
    due="claimable.status = %s AND claimable.send_after <= %s",
    order="claimable.send_after, claimable.id",
    mark="status = %s, sent_at = %s, expires_at = %s",
)
_REMIND = _Stage(
    due="claimable.status = %s AND claimable.reminded_at IS NULL AND claimable.sent_at <= %s"
    " AND claimable.expires_at > %s",
    order="claimable.sent_at, claimable.id",
    mark="reminded_at = %s",
)


def _any_due(stage: _Stage, params: Sequence[Any]) -> bool:
    """One cheap read outside any transaction, in the partial index's order (the sweep that runs
    every minute and finds nothing costs one statement a stage)."""
    sql = f"SELECT 1 FROM {table(SurveyInvitation)} AS claimable WHERE {stage.due} ORDER BY {stage.order} LIMIT 1"  # noqa: S608
    return bool(execute(sql, params))


def _claim(stage: _Stage, *, due_params: Sequence[Any], mark_params: Sequence[Any], batch_size: int) -> list[int]:
    """Claim up to ``batch_size`` due rows and mark them, in one statement; their ids."""
    invitations = table(SurveyInvitation)
    opening, closing = in_claimed()
    lock = "FOR UPDATE SKIP LOCKED" if row_locks_supported() else ""
    recheck = stage.due.replace("claimable.", "")
    sql = f"""
        UPDATE {invitations} SET {stage.mark}
        WHERE id {opening}
            SELECT claimable.id FROM {invitations} AS claimable WHERE {stage.due}
            ORDER BY {stage.order} LIMIT %s {lock}
        {closing} AND {recheck}
        RETURNING id
    """  # noqa: S608 (identifiers from model metadata; values are parameters)
    rows = execute(sql, [*mark_params, *due_params, batch_size, *due_params])
    return sorted(row[0] for row in rows)


def _notify(ids: Sequence[int], *, kind: str, title: str, template: str, context: dict[str, Any], now: datetime) -> int:
    where, params = ids_in("invitation.id", ids)
    body, body_params = template_sql(template, context, about_column="invitation.about_label")
    return notify_from_select(
        kind=kind,
        select_sql=f"""
            SELECT invitation.customer_id AS recipient_id, %s || invitation.about_label AS title,
                   {body} AS body, {survey_link_sql()} AS link
            FROM {table(SurveyInvitation)} AS invitation WHERE {where} ORDER BY invitation.id
        """,  # noqa: S608 (identifiers from model metadata; values are parameters)
        params=[title, *body_params, *params],
        now=now,
    )


def surveys_send_due(*, now: datetime, batch_size: int | None = None) -> int:
    """Send every invitation due at ``now``; how many were sent."""
    size = batch_size or settings.FEEDBACK_SWEEP_BATCH_SIZE
    at = db_datetime(now)
    expires_at = now + settings.FEEDBACK_SURVEY_VALID_FOR
    due_params = [InvitationStatus.SCHEDULED.value, at]
    if not _any_due(_SEND, due_params):
        return 0
    mark_params = [InvitationStatus.SENT.value, at, db_datetime(expires_at)]
    context = {"expires_on": formats.date_format(expires_at, "j F Y")}

    def handle(ids: list[int]) -> None:
        _notify(
            ids,
            kind=Kind.SURVEY_INVITATION,
            title="How did we do? ",
            template="feedback/email/survey_invitation.txt",
            context=context,
            now=now,
        )

    return sweep_in_batches(
        claim=lambda: _claim(_SEND, due_params=due_params, mark_params=mark_params, batch_size=size),
        handle=handle,
        batch_size=size,
    )


def surveys_remind(*, now: datetime, batch_size: int | None = None) -> int:
    """Remind, once, the customers who have not answered ``FEEDBACK_SURVEY_REMINDER_AFTER`` after
    the invitation was sent, while it is still valid; how many were reminded."""
    size = batch_size or settings.FEEDBACK_SWEEP_BATCH_SIZE
    at = db_datetime(now)
    due_params = [InvitationStatus.SENT.value, db_datetime(now - settings.FEEDBACK_SURVEY_REMINDER_AFTER), at]
    if not _any_due(_REMIND, due_params):
        return 0

    def handle(ids: list[int]) -> None:
        _notify(
            ids,
            kind=Kind.SURVEY_REMINDER,
            title="A minute for our survey? ",
            template="feedback/email/survey_reminder.txt",
            context={},
            now=now,
        )

    return sweep_in_batches(
        claim=lambda: _claim(_REMIND, due_params=due_params, mark_params=[at], batch_size=size),
        handle=handle,
        batch_size=size,
    )


def feedback_sweep(*, now: datetime) -> dict[str, int]:
    return {"sent": surveys_send_due(now=now), "reminded": surveys_remind(now=now)}
