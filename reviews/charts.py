"""The reviews' 12-month trend as a chart (``core.charts``), for the console index and the review
metrics report: the share of each month's reviews answered within their target (24 h negative,
48 h others), against ``REVIEWS_TARGET_PCT``."""

from django.conf import settings
from django.template.defaultfilters import pluralize

from core.charts import Chart, ChartPoint, bar_chart
from reviews.selectors.metrics import ReviewMonth

TREND_MONTHS = 12


def review_trend_chart(series: list[ReviewMonth], *, title: str) -> Chart:
    points = [
        ChartPoint(
            label=month.period.label,
            short_label=f"{month.period.start:%b}",
            value=month.within_target_pct,
            sub_text=f"{month.reviews} rev.",
            count_text=f"{month.reviews} review{pluralize(month.reviews)}, {month.negative} negative",
        )
        for month in series
    ]
    return bar_chart(
        points,
        title=title,
        target_pct=settings.REVIEWS_TARGET_PCT,
        value_heading="Answered within target",
        count_heading="Reviews",
    )
