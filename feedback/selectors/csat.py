"""CSAT: the one definition every reader uses (console reports, the seller dashboard, the API,
royalty). Satisfied = 4 or 5 on the overall question; CSAT % = satisfied / responses, counted
by when the answer was given (``SurveyResponse.created_at``) in the period ``[start, end)``."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from core.figures import percentage
from core.periods import Period
from feedback.models import SurveyResponse

DIMENSIONS = ("category", "channel", "agent", "seller", "interaction_type")
_DIMENSION_FIELD = {
    "category": "category",
    "channel": "channel",
    "agent": "agent_id",
    "seller": "seller_id",
    "interaction_type": "interaction_type",
}


@dataclass(frozen=True)
class CsatFigure:
    responses: int
    satisfied: int

    @property
    def csat_pct(self) -> Decimal | None:
        return percentage(self.satisfied, self.responses)

    @property
    def meets_target(self) -> bool | None:
        pct = self.csat_pct
        return None if pct is None else pct >= settings.FEEDBACK_TARGET_PCT


def responses_in(period: Period) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(created_at__gte=period.start, created_at__lt=period.end)


# Counted over ``created_at`` (never null), not ``id``: every column then is in the covering index
# ``fb_resp_csat_idx`` and PostgreSQL answers from the index alone.
def _counts() -> dict[str, Count]:
    return {"responses": Count("created_at"), "satisfied": Count("created_at", filter=Q(satisfied=True))}


def _figure(rows: QuerySet[SurveyResponse]) -> CsatFigure:
    totals = rows.aggregate(**_counts())
    return CsatFigure(responses=totals["responses"], satisfied=totals["satisfied"])


def csat_figure(
    period: Period,
    *,
    seller_id: int | None = None,
    agent_id: int | None = None,
    category: str | None = None,
    channel: str | None = None,
    interaction_type: str | None = None,
) -> CsatFigure:
    """Platform-wide CSAT for the period, or narrowed to one seller, agent, category, ..."""
    rows = responses_in(period)
    narrowing = {
        "seller_id": seller_id,
        "agent_id": agent_id,
        "category": category,
        "channel": channel,
        "interaction_type": interaction_type,
    }
    rows = rows.filter(**{field: value for field, value in narrowing.items() if value is not None})
    return _figure(rows)


def csat_by(period: Period, dimension: str, *, keys: Iterable[object] | None = None) -> dict[object, CsatFigure]:
    """CSAT per value of ``dimension`` (one of ``DIMENSIONS``) in one statement; ``keys`` narrows
    to those values (e.g. the seller ids royalty asks about). Values with no response are absent."""
    field = _DIMENSION_FIELD[dimension]
    rows = responses_in(period)
    if keys is not None:
        rows = rows.filter(**{f"{field}__in": list(keys)})
    grouped = rows.values(field).order_by().annotate(**_counts())
    return {
        row[field]: CsatFigure(responses=row["responses"], satisfied=row["satisfied"])
        for row in grouped
        if row[field] not in (None, "")
    }


def csat_for_orders(period: Period, order_ids: Iterable[int] | QuerySet[Any]) -> CsatFigure:
    """CSAT of the interactions about these orders (royalty: what an affiliate's sales led to)."""
    return _figure(responses_in(period).filter(order_id__in=order_ids))


def csat_by_order(period: Period, order_ids: Iterable[int] | QuerySet[Any]) -> dict[int, CsatFigure]:
    """CSAT per order among ``order_ids`` in one statement (royalty adds up the orders attributed to
    each affiliate: the CSAT of the interactions its sales led to). Orders with no response in the
    period are absent."""
    rows = responses_in(period).filter(order_id__in=order_ids if isinstance(order_ids, QuerySet) else list(order_ids))
    grouped = (
        rows.values("order_id")
        .order_by()
        .annotate(responses=Count("id"), satisfied=Count("id", filter=Q(satisfied=True)))
    )
    return {row["order_id"]: CsatFigure(responses=row["responses"], satisfied=row["satisfied"]) for row in grouped}
