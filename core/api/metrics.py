"""The one shape of every figures endpoint (response metrics, review metrics, and the CSAT and
ticket reports to come): the same period parameters, and a payload that starts with what it is
about and when, followed by the figures.

``GET ...?period=2026-11`` (a month), ``?period=2026-Q4`` (a quarter) or ``?from=2026-10-01&to=2026-11-01``
(``to`` exclusive), UTC; nothing: the current month. A bad period is a 400 on the parameter at
fault (``core.periods``).
"""

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.periods import Period, parse_period
from core.permissions import IsAuthenticatedUser

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


# The views below carry comments, not docstrings: the OpenAPI schema would show a docstring as the
# description of every endpoint built on them.


class FiguresApi(APIView):
    # ``GET`` a figures endpoint: whose figures (``subject``: a seller's id, or None for the
    # platform; a 404 for who may not see them, before the period is even read), for the period
    # asked, as ``figures_payload`` through the ``output`` serializer. ``figures(seller_id=, start=,
    # end=, now=)`` is the app's selector.

    permission_classes = [IsAuthenticatedUser]
    output: ClassVar[type[serializers.Serializer]]
    figures: ClassVar[Callable[..., Any]]

    def subject(self, request: Request, **kwargs: Any) -> int | None:
        raise NotImplementedError

    def get(self, request: Request, **kwargs: Any) -> Response:
        seller_id = self.subject(request, **kwargs)
        now = timezone.now()
        period = period_from_request(request, now=now)
        figures = self.figures(seller_id=seller_id, start=period.start, end=period.end, now=now)
        return Response(self.output(figures_payload(seller_id=seller_id, period=period, figures=figures)).data)


class SellerFiguresApi(FiguresApi):
    # One seller's figures (``/sellers/<pk>/...``): ``visible_seller(user=, pk=)`` is the seller if
    # the caller may see its figures (its members and staff), else None: a 404.

    visible_seller: ClassVar[Callable[..., Any]]

    def subject(self, request: Request, **kwargs: Any) -> int | None:
        seller = self.visible_seller(user=request.user, pk=kwargs["pk"])
        if seller is None:
            raise NotFound()
        return int(seller.pk)


class PlatformFiguresApi(FiguresApi):
    # The platform's figures: ``may_see_platform(user)`` (staff), anyone else a 404.

    may_see_platform: ClassVar[Callable[..., bool]]

    def subject(self, request: Request, **kwargs: Any) -> int | None:
        if not self.may_see_platform(request.user):
            raise NotFound()
        return None
