"""The one shape of every figures endpoint (response metrics, review metrics, and the CSAT and
ticket reports to come): the same period parameters, and a payload that starts with what it is
about and when, followed by the figures.

``GET ...?period=2026-11`` (a month), ``?period=2026-Q4`` (a quarter) or ``?from=2026-10-01&to=2026-11-01``
(``to`` exclusive), UTC; nothing: the current month. A bad period is a 400 on the parameter at
fault (``core.periods``).
"""

import dataclasses
from datetime import datetime
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from core.periods import Period, parse_period

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        OpenApiTypes.STR,
        description="A month (`2026-11`) or a quarter (`2026-Q4`), UTC. Default: the current month.",
    ),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a range (with `to`), UTC."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Day after the range (exclusive), UTC."),
]


def period_from_request(request: Request, *, now: datetime) -> Period:
    params = request.query_params
    return parse_period(period=params.get("period"), date_from=params.get("from"), date_to=params.get("to"), now=now)


class PeriodFiguresSerializer(serializers.Serializer):
    """The head of every figures payload; an endpoint's serializer adds its figures."""

    seller = serializers.IntegerField(allow_null=True, help_text="The seller's id; null: platform-wide.")
    period = serializers.CharField(help_text="`2026-11`, `2026-Q4` or `2026-10-01..2026-11-01`.")
    start = serializers.DateTimeField(help_text="Start of the period (inclusive, UTC).")
    end = serializers.DateTimeField(help_text="End of the period (exclusive, UTC).")


def figures_payload(*, seller_id: int | None, period: Period, figures: Any) -> dict[str, Any]:
    """The payload of a figures endpoint: ``seller``, ``period`` (its label), ``start``, ``end`` and
    every field of ``figures`` (a dataclass; nested ones become objects), e.g. ``target_pct`` and
    ``meets_target`` where the figures have a target."""
    return {
        "seller": seller_id,
        "period": period.label,
        "start": period.start,
        "end": period.end,
        **dataclasses.asdict(figures),
    }
