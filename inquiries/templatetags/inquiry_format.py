"""Filters for the inquiry pages: durations and percentages worded the same everywhere."""

from decimal import Decimal

from django import template

register = template.Library()


def duration_text(seconds: float) -> str:
    """``2 h 05 min``, ``12 min``, ``< 1 min``: the same wording as static/js/inquiries.js."""
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min" if minutes else "< 1 min"


@register.filter
def duration(seconds: float | None) -> str:
    return "—" if seconds is None else duration_text(seconds)


@register.filter
def percent(value: Decimal | float | None) -> str:
    """``93.3 %`` (one decimal, trailing ``.0`` dropped), ``—`` when nothing counts yet."""
    if value is None:
        return "—"
    text = f"{float(value):.1f}".removesuffix(".0")
    return f"{text} %"
