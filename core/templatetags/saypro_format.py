"""Template filters for figures on every page: ``{% load saypro_format %}`` then
``{{ seconds|duration }}`` and ``{{ pct|percent }}``."""

from decimal import Decimal

from django import template

from core.durations import duration_text
from core.figures import percent_text

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    return duration_text(seconds)


@register.filter
def percent(value: Decimal | float | None) -> str:
    return percent_text(value)
