"""Reporting periods: ``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``from=2026-10-01&to=2026-11-01``
(a range of days), each as a half-open UTC range ``[start, end)``.

``to`` is exclusive, like ``end``: ``from=2026-10-01&to=2026-11-01`` is October. Errors are
``InvalidInput`` on the field at fault (``period``, ``from`` or ``to``), a 400 at the API.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.exceptions import InvalidInput

MONTH_RE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
QUARTER_RE = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$")
MIN_YEAR, MAX_YEAR = 2000, 2999
MAX_RANGE = timedelta(days=3 * 366)


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime
    end: datetime


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _check_year(year: int, *, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"The year must be between {MIN_YEAR} and {MAX_YEAR}.", code="invalid", field=field)


def month_period(year: int, month: int) -> Period:
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if month == 12 else datetime(year, month + 1, 1, tzinfo=UTC)
    return Period(label=f"{year:04d}-{month:02d}", start=start, end=end)


def quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    start = datetime(year, first_month, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if quarter == 4 else datetime(year, first_month + 3, 1, tzinfo=UTC)
    return Period(label=f"{year:04d}-Q{quarter}", start=start, end=end)


def quarter_of(moment: datetime) -> Period:
    """The quarter ``moment`` (UTC) falls in."""
    moment = moment.astimezone(UTC)
    return quarter_period(moment.year, (moment.month - 1) // 3 + 1)


def previous_quarter(quarter: Period) -> Period:
    return quarter_of(quarter.start - timedelta(days=1))


def period_kind(period: Period) -> str:
    """``month``, ``quarter`` or ``range`` (from/to dates), from the period's label."""
    if QUARTER_RE.match(period.label):
        return "quarter"
    if MONTH_RE.match(period.label):
        return "month"
    return "range"


def shift_period(period: Period, steps: int) -> Period:
    """The month (or quarter) ``steps`` months (quarters) after a month (quarter) period; negative
    steps go back. Report pages page through periods with it."""
    kind = period_kind(period)
    if kind == "range":
        raise ValueError("Only a month or a quarter period can be shifted.")
    months = 3 if kind == "quarter" else 1
    index = period.start.year * 12 + period.start.month - 1 + steps * months
    year, month = divmod(index, 12)
    return quarter_period(year, month // 3 + 1) if kind == "quarter" else month_period(year, month + 1)


def parse_quarter(text: str, *, field: str = "period") -> Period:
    match = QUARTER_RE.match(text or "")
    if not match:
        raise InvalidInput("Give a quarter as YYYY-Qn, e.g. 2026-Q4.", code="invalid", field=field)
    year = int(match["year"])
    _check_year(year, field=field)
    return quarter_period(year, int(match["quarter"]))


def _parse_day(text: str, *, field: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Give a date as YYYY-MM-DD.", code="invalid", field=field) from None
    _check_year(day.year, field=field)
    return day


def parse_period(*, period: str | None, date_from: str | None, date_to: str | None, now: datetime) -> Period:
    """The period a report asks for; none at all means the current month (UTC)."""
    period = (period or "").strip()
    date_from = (date_from or "").strip()
    date_to = (date_to or "").strip()
    if period and (date_from or date_to):
        raise InvalidInput("Give either period or from/to, not both.", code="ambiguous", field="period")
    if date_from or date_to:
        if not date_from:
            raise InvalidInput("Give the first day of the range.", code="required", field="from")
        if not date_to:
            raise InvalidInput("Give the day after the range (exclusive).", code="required", field="to")
        start = _midnight(_parse_day(date_from, field="from"))
        end = _midnight(_parse_day(date_to, field="to"))
        if end <= start:
            raise InvalidInput("The range must end after it starts (to is exclusive).", code="invalid", field="to")
        if end - start > MAX_RANGE:
            raise InvalidInput("A range can cover at most three years.", code="too_long", field="to")
        return Period(label=f"{date_from}..{date_to}", start=start, end=end)
    if not period:
        now = now.astimezone(UTC)
        return month_period(now.year, now.month)
    month = MONTH_RE.match(period)
    if month:
        year, month_number = int(month["year"]), int(month["month"])
        _check_year(year, field="period")
        if not 1 <= month_number <= 12:
            raise InvalidInput("A month is 01 to 12.", code="invalid", field="period")
        return month_period(year, month_number)
    if QUARTER_RE.match(period):
        return parse_quarter(period)
    raise InvalidInput(
        "Give a period as a month (2026-11) or a quarter (2026-Q4), or from/to dates.", code="invalid", field="period"
    )


# --- Report pages: the title, the menu and the previous/next links of a period -------------------

PERIODS_OFFERED = {"month": 24, "quarter": 12}  # the period menu: this many back from the current one


def period_title(period: Period) -> str:
    """``November 2026``, ``Q4 2026 (October-December)`` or ``1 Oct 2026 - 31 Oct 2026``."""
    kind = period_kind(period)
    last_day = period.end - timedelta(days=1)
    if kind == "month":
        return f"{period.start:%B %Y}"
    if kind == "quarter":
        return f"Q{(period.start.month - 1) // 3 + 1} {period.start.year} ({period.start:%B}-{last_day:%B})"
    return f"{period.start:%-d %b %Y} - {last_day:%-d %b %Y}"


def last_full_month(now: datetime) -> Period:
    """The period a report page shows when none is asked for: the last full calendar month (UTC),
    so a newcomer sees a month that has data."""
    today = now.astimezone(UTC)
    return shift_period(month_period(today.year, today.month), -1)


def period_menu(period: Period, now: datetime) -> list[tuple[str, str]]:
    """The period menu: the current month (quarter) and the ones before it, plus the chosen one."""
    kind = period_kind(period)
    if kind == "range":
        kind = "month"
    current = month_period(now.year, now.month) if kind == "month" else quarter_of(now)
    periods = [shift_period(current, -steps) for steps in range(PERIODS_OFFERED[kind])]
    periods = [choice for choice in periods if choice.start.year >= MIN_YEAR]
    if period.label not in {choice.label for choice in periods}:
        periods.append(period)
        periods.sort(key=lambda choice: choice.start, reverse=True)
    return [(choice.label, period_title(choice)) for choice in periods]


def period_navigation(period: Period, *, now: datetime, link: Callable[[Period], str]) -> dict[str, Any]:
    """Previous / next (never into the future), month <-> quarter (the quarter holding the month;
    the quarter's current month, else its last) and this month / quarter, each a ``link(period)``."""
    kind = period_kind(period)
    this_month, this_quarter = month_period(now.year, now.month), quarter_of(now)
    navigation: dict[str, Any] = {"kind": kind, "previous": None, "next": None}
    if kind != "range":
        earlier, later = shift_period(period, -1), shift_period(period, 1)
        if earlier.start.year >= MIN_YEAR:
            navigation["previous"] = {"url": link(earlier), "title": period_title(earlier)}
        if later.start <= now:
            navigation["next"] = {"url": link(later), "title": period_title(later)}
    last_month = period.end - timedelta(days=1)
    month = this_month if period.start <= now < period.end else month_period(last_month.year, last_month.month)
    navigation["month_url"] = link(month if kind != "month" else period)
    navigation["quarter_url"] = link(quarter_of(period.start) if kind != "quarter" else period)
    navigation["this_month_url"] = link(this_month)
    navigation["this_quarter_url"] = link(this_quarter)
    return navigation
