"""Figures every report computes the same way: percentages, whole seconds, medians.

- ``percentage``: ``part / whole * 100`` as a ``Decimal`` rounded once, half-up, to 2 places
  (``None`` when the whole is zero: nothing counts yet, which is not 0 %).
- ``whole_seconds``: a duration average or median, half-up to whole seconds.
- ``Median``: PostgreSQL's interpolated median (``percentile_cont(0.5)``) as an aggregate;
  ``median_in_sql()`` says whether the database has it, ``median`` is the same figure in Python
  for the embedded SQLite (both interpolate between the two middle values).
- ``meets_target``: a percentage against its target (``None`` when there is no percentage).
"""

import statistics
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Aggregate, FloatField

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
_ONE = Decimal(1)


def percentage(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def meets_target(pct: Decimal | None, target: Decimal) -> bool | None:
    return None if pct is None else pct >= target


def whole_seconds(value: float | Decimal | None) -> int | None:
    if value is None:
        return None
    return int(Decimal(str(value)).quantize(_ONE, rounding=ROUND_HALF_UP))


def median(values: Iterable[float]) -> float | None:
    known = list(values)
    return float(statistics.median(known)) if known else None


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY x)``: the interpolated median."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


def median_in_sql() -> bool:
    return connection.vendor == "postgresql"


def percent_text(value: Decimal | float | None) -> str:
    """``93.3 %`` (one decimal, trailing ``.0`` dropped), ``—`` when nothing counts yet."""
    if value is None:
        return "—"
    text = f"{float(value):.1f}".removesuffix(".0")
    return f"{text} %"
