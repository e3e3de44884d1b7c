"""The help centre report: per ticket category and period, the signed-in readers of its articles
and how many of them did not open a ticket of that category within
``HELPDESK_ARTICLE_DEFLECTION_WINDOW`` after reading (the tickets the articles saved)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from core.figures import percentage
from core.periods import Period
from helpdesk.models import ArticleRead, Category, Ticket


@dataclass(frozen=True)
class ArticleReadRow:
    category: str
    label: str
    reads: int  # (reader, article, day) once each
    readers: int
    readers_who_opened: int  # a ticket of the category within the window after one of their reads

    @property
    def readers_not_opened(self) -> int:
        return self.readers - self.readers_who_opened

    @property
    def not_opened_pct(self) -> Decimal | None:
        return percentage(self.readers_not_opened, self.readers)


def article_read_report(*, period: Period, window: timedelta) -> list[ArticleReadRow]:
    """One row per ticket category (all of them, zeros included), in one statement:
    the reads in ``period`` grouped by category, each read checked for a ticket of its category
    by the same reader from the read until ``window`` later (an index on the customer's tickets)."""
    opened = Exists(
        Ticket.objects.filter(
            customer_id=OuterRef("user_id"),
            category=OuterRef("category"),
            created_at__gte=OuterRef("read_at"),
            created_at__lte=OuterRef("read_at") + window,
        )
    )
    rows: dict[str, Any] = {
        row["category"]: row
        for row in ArticleRead.objects.filter(read_at__gte=period.start, read_at__lt=period.end)
        .exclude(category="")
        .values("category")
        .annotate(
            reads=Count("id"),
            readers=Count("user_id", distinct=True),
            readers_who_opened=Count("user_id", distinct=True, filter=Q(opened)),
        )
        .order_by()
    }
    empty: dict[str, Any] = {"reads": 0, "readers": 0, "readers_who_opened": 0}
    return [
        ArticleReadRow(
            category=category.value,
            label=str(category.label),
            reads=rows.get(category.value, empty)["reads"],
            readers=rows.get(category.value, empty)["readers"],
            readers_who_opened=rows.get(category.value, empty)["readers_who_opened"],
        )
        for category in Category
    ]
