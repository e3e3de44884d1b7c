"""The live figures of the support queue, for the console's index page.

Two aggregate queries whatever the number of rows: one over open inquiries (three counts with
``Count(filter=...)``), one over open escalations. Each figure has a changelist filter that shows
exactly the rows it counts (``inquiries.admin.conversations``), so a card and the list it links to agree.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q

from inquiries.models import Escalation, Inquiry, InquiryStatus

DUE_SOON = timedelta(hours=1)


@dataclass(frozen=True)
class SupportQueueCounts:
    open_inquiries: int
    due_within_hour: int
    overdue: int
    unassigned_escalations: int


def open_inquiries_due_within_hour(now: datetime) -> Q:
    """Open, not yet due, due by ``now + 1 h``."""
    return Q(status=InquiryStatus.OPEN, response_due_at__gt=now, response_due_at__lte=now + DUE_SOON)


def open_inquiries_overdue(now: datetime) -> Q:
    """Open and past the response target (escalated or about to be: the sweep runs every minute)."""
    return Q(status=InquiryStatus.OPEN, response_due_at__lte=now)


UNASSIGNED_OPEN_ESCALATIONS = Q(resolved_at__isnull=True, assignee__isnull=True)


def support_queue_counts(*, now: datetime) -> SupportQueueCounts:
    inquiries = Inquiry.objects.filter(status=InquiryStatus.OPEN).aggregate(
        open=Count("id"),
        due_within_hour=Count("id", filter=open_inquiries_due_within_hour(now)),
        overdue=Count("id", filter=open_inquiries_overdue(now)),
    )
    unassigned = Escalation.objects.filter(UNASSIGNED_OPEN_ESCALATIONS).count()
    return SupportQueueCounts(
        open_inquiries=inquiries["open"],
        due_within_hour=inquiries["due_within_hour"],
        overdue=inquiries["overdue"],
        unassigned_escalations=unassigned,
    )
