"""Server-side SVG bar charts: one drawing for every page that shows a trend (the seller
dashboard's within-target months, the console's 12-month trends). No JavaScript.

``bar_chart`` turns a list of ``ChartPoint`` (a label, a percentage or None, a short sub-line)
into the geometry ``templates/core/_bar_chart.html`` draws: bars on a 0-100 % scale with
gridlines, a dashed target line, and the figures again as a visually hidden table (the SVG has a
title and a description) so the chart reads without sight. The SVG scales to its container
(``viewBox``), so it fits any width down to a phone; 12 bars need no more than 640 units.
"""

from dataclasses import dataclass, field
from decimal import Decimal

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 240, 16, 200, 44
GRID_VALUES = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class ChartPoint:
    """One bar: ``label`` (the table's row, e.g. ``2026-11``), ``short_label`` (under the bar,
    e.g. ``Nov``), ``value`` in percent or None (no data), ``sub_text`` under the label and
    ``count_text`` for the table's last column."""

    label: str
    short_label: str
    value: Decimal | float | None
    sub_text: str = ""
    count_text: str = ""
    meets_target: bool | None = None


@dataclass(frozen=True)
class ChartBar:
    label: str
    short_label: str
    pct: float | None
    pct_text: str
    sub_text: str
    count_text: str
    x: float
    center: float
    y: float
    height: float
    label_y: float
    meets_target: bool | None


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    value_heading: str
    count_heading: str
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    target_y: float | None
    target_pct: str
    bar_width: float
    bars: list[ChartBar]
    gridlines: list[tuple[float, int]] = field(default_factory=list)


def bar_chart(
    points: list[ChartPoint],
    *,
    title: str,
    target_pct: Decimal | float | None,
    value_heading: str = "Value",
    count_heading: str = "Count",
    description: str = "",
    judge_by_target: bool = True,
) -> Chart:
    """The geometry of a percentage bar chart; ``target_pct`` None: no target line. Bars whose
    point does not say ``meets_target`` are judged against the target (at or above it) unless
    ``judge_by_target`` is False (the caller's ``meets_target`` is then final)."""
    slot = (WIDTH - LEFT - 8) / max(len(points), 1)
    bar_width = slot * 0.56
    scale = (BOTTOM - TOP) / 100
    target = float(target_pct) if target_pct is not None else None
    bars = []
    for index, point in enumerate(points):
        pct = float(point.value) if point.value is not None else None
        bar_height = (pct or 0) * scale
        x = LEFT + index * slot + (slot - bar_width) / 2
        y = BOTTOM - bar_height
        meets = point.meets_target
        if judge_by_target and meets is None and pct is not None and target is not None:
            meets = pct >= target
        bars.append(
            ChartBar(
                label=point.label,
                short_label=point.short_label,
                pct=pct,
                pct_text="no data" if pct is None else f"{pct:.0f} %",
                sub_text=point.sub_text,
                count_text=point.count_text,
                x=round(x, 1),
                center=round(x + bar_width / 2, 1),
                y=round(y, 1),
                height=round(bar_height, 1),
                label_y=round(max(y - 6, TOP + 10), 1),
                meets_target=meets,
            )
        )
    if not description:
        parts = [
            f"{bar.label}: {bar.pct_text}" + (f" of {bar.count_text}" if bar.count_text else "") + "." for bar in bars
        ]
        if target is not None:
            parts.append(f"Target {target:g} %.")
        description = " ".join(parts)
    return Chart(
        title=title,
        description=description,
        value_heading=value_heading,
        count_heading=count_heading,
        width=WIDTH,
        height=HEIGHT,
        plot_top=TOP,
        plot_bottom=BOTTOM,
        target_y=round(BOTTOM - target * scale, 1) if target is not None else None,
        target_pct=f"{target:g}" if target is not None else "",
        bar_width=round(bar_width, 1),
        bars=bars,
        gridlines=[(round(BOTTOM - value * scale, 1), value) for value in GRID_VALUES],
    )
