"""The console's role-shaped navigation (``core.console_navigation``) in templates: the index's
sections with live counts and trends, and the sidebar's groups (links only, no query)."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils import timezone

from core.charts import Chart
from core.console import QueueCard
from core.console_navigation import NavGroup, ShownSection, console_groups_for, console_sections_for

register = template.Library()


@dataclass(frozen=True)
class IndexSection:
    section: ShownSection
    cards: list[QueueCard]


@dataclass(frozen=True)
class IndexChart:
    chart_id: str
    chart: Chart


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def console_index_sections(context: Any) -> list[IndexSection]:
    """The user's sections with their counts: one query (or the selector's few) per section with
    queues; none for a user without sections."""
    now = timezone.now()
    return [IndexSection(section, section.cards(now)) for section in console_sections_for(_user(context))]


@register.simple_tag(takes_context=True)
def console_index_charts(context: Any) -> list[IndexChart]:
    """The trends of the user's sections, each drawn once even when two sections share it."""
    now = timezone.now()
    charts: dict[str, IndexChart] = {}
    for section in console_sections_for(_user(context)):
        for console_chart in section.charts:
            if console_chart.chart_id in charts:
                continue
            chart = console_chart.build(now)
            if chart is not None:
                charts[console_chart.chart_id] = IndexChart(console_chart.chart_id, chart)
    return list(charts.values())


@register.simple_tag(takes_context=True)
def console_nav_groups(context: Any) -> list[NavGroup]:
    return console_groups_for(_user(context))
