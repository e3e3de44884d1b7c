"""The per-inquiry CSV behind the response KPIs: one row per inquiry opened in the period, with
the columns ``counted``, ``within_target`` and ``escalated`` computed by the same rule as the
figures (``inquiries.selectors.kpis``), so every figure can be checked line by line:

- ``inquiries`` = rows with counted = yes
- ``answered_within_target`` = counted = yes and within_target = yes
- ``escalated`` = counted = yes and escalated = yes; ``excluded`` = status excluded.

Streamed: rows come from ``QuerySet.iterator()`` in chunks and leave as they are written, so a
platform-wide quarter does not sit in memory.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from inquiries.models import Inquiry, InquiryStatus
from inquiries.selectors.kpis import counted_inquiries_q, escalated_q, inquiries_opened_in

COLUMNS = [
    "inquiry_id",
    "conversation_id",
    "seller_id",
    "seller",
    "subject",
    "opened_at",
    "due_at",
    "status",
    "counted",
    "answered_at",
    "answered_by",
    "answered_by_kind",
    "first_response_seconds",
    "within_target",
    "escalated",
    "escalated_at",
    "excluded_at",
    "excluded_by",
    "exclusion_reason",
    "closed_at",
]
CHUNK_SIZE = 2000
# A cell a spreadsheet would run as a formula (CSV injection): quote it with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ANSWERED_BY_KIND = {InquiryStatus.ANSWERED: "seller", InquiryStatus.ANSWERED_BY_STAFF: "staff"}


def inquiries_for_export(*, seller_id: int | None, start: datetime, end: datetime, now: datetime) -> QuerySet[Inquiry]:
    """The inquiries opened in ``[start, end)`` in opening order, with the rule's verdicts annotated."""
    return (
        inquiries_opened_in(seller_id=seller_id, start=start, end=end)
        .annotate(
            is_counted=ExpressionWrapper(counted_inquiries_q(now=now), output_field=BooleanField()),
            is_escalated=ExpressionWrapper(escalated_q(), output_field=BooleanField()),
        )
        .select_related("conversation", "seller", "answered_by", "excluded_by", "clock")
        .order_by("awaiting_since", "id")
    )


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def inquiry_row(inquiry: Any, *, with_subject: bool = True) -> list[str]:
    """One inquiry's cells. ``with_subject`` False leaves the conversation's subject (the buyer's
    words) empty: for staff who read the figures but no private conversation (finance, integration)."""
    counted = bool(inquiry.is_counted)
    answered_by = inquiry.answered_by.username if inquiry.answered_by_id else None
    values: list[Any] = [
        inquiry.pk,
        inquiry.conversation_id,
        inquiry.seller_id,
        inquiry.seller.name,
        inquiry.conversation.subject if with_subject else None,
        inquiry.awaiting_since,
        inquiry.response_due_at,
        inquiry.status,
        counted,
        inquiry.answered_at,
        answered_by,
        ANSWERED_BY_KIND.get(inquiry.status),
        inquiry.first_response_seconds,
        # Only counted rows have a verdict; a staff answer is "no" (never the seller's target).
        (inquiry.is_within_target is True) if counted else None,
        bool(inquiry.is_escalated) if counted else None,
        inquiry.escalation_at,
        inquiry.excluded_at,
        inquiry.excluded_by.username if inquiry.excluded_by_id else None,
        inquiry.exclusion_reason,
        inquiry.closed_at,
    ]
    return [safe_cell(value) for value in values]


class _Echo:
    """A file-like object whose ``write`` returns the line, for ``csv.writer`` in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(inquiries: Iterable[Inquiry], *, with_subject: bool = True) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for inquiry in inquiries:
        yield writer.writerow(inquiry_row(inquiry, with_subject=with_subject))


def export_lines(
    *, seller_id: int | None, start: datetime, end: datetime, now: datetime, with_subject: bool = True
) -> Iterator[str]:
    queryset = inquiries_for_export(seller_id=seller_id, start=start, end=end, now=now)
    return csv_lines(queryset.iterator(chunk_size=CHUNK_SIZE), with_subject=with_subject)


def export_filename(*, seller_id: int | None, label: str) -> str:
    scope = f"seller-{seller_id}" if seller_id is not None else "platform"
    safe_label = "".join(character if character.isalnum() or character in "-_." else "_" for character in label)
    return f"inquiries-{scope}-{safe_label}.csv"
