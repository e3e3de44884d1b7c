"""The within-target trend as a chart (``core.charts``): the seller dashboard's last 6 months and
the console index's platform-wide 12 months draw the same bars from ``MonthResponseMetrics``."""

from django.conf import settings

from core.charts import Chart, ChartPoint, bar_chart
from feedback.selectors.reports import TrendPoint
from inquiries.selectors.kpis import MonthResponseMetrics


def within_target_chart(series: list[MonthResponseMetrics], *, title: str) -> Chart:
    """Within-target % per month (0-100 %), with the ``INQUIRIES_TARGET_PCT`` line; a month's bar
    is below target as ``ResponseMetrics.meets_target`` says (no inquiries: no judgement)."""
    points = [
        ChartPoint(
            label=month.label,
            short_label=f"{month.month:%b}",
            value=month.metrics.within_target_pct,
            sub_text=f"{month.metrics.inquiries} inq.",
            count_text=str(month.metrics.inquiries),
            meets_target=month.metrics.meets_target,
        )
        for month in series
    ]
    target = settings.INQUIRIES_TARGET_PCT
    description = "".join(
        f"{point.label}: {'no data' if point.value is None else f'{float(point.value):.0f} %'}"
        f" of {point.count_text} inquiries. "
        for point in points
    )
    return bar_chart(
        points,
        title=title,
        target_pct=target,
        value_heading="Within target",
        count_heading="Inquiries",
        description=f"{description}Target {float(target):g} %.",
        judge_by_target=False,
    )


def seller_csat_chart(trend: list[TrendPoint], *, title: str) -> Chart:
    """The seller's CSAT per month (``feedback.selectors.reports``) with the ``FEEDBACK_TARGET_PCT`` line."""
    points = [
        ChartPoint(
            label=point.period.label,
            short_label=f"{point.period.start:%b}",
            value=point.figure.csat_pct,
            sub_text=f"{point.figure.responses} ans.",
            count_text=str(point.figure.responses),
            meets_target=point.figure.meets_target,
        )
        for point in trend
    ]
    return bar_chart(
        points,
        title=title,
        target_pct=settings.FEEDBACK_TARGET_PCT,
        value_heading="Satisfied",
        count_heading="Survey answers",
        judge_by_target=False,
    )
