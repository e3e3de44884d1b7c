"""core.charts: the bar geometry every trend chart draws (0-100 %, the target line, no data)."""

from decimal import Decimal

from core.charts import ChartPoint, bar_chart


def test_bars_scale_to_the_plot_and_are_judged_against_the_target() -> None:
    points = [
        ChartPoint("2026-01", "Jan", Decimal("100"), count_text="4"),
        ChartPoint("2026-02", "Feb", Decimal("50"), count_text="2"),
        ChartPoint("2026-03", "Mar", None, count_text="0"),
    ]
    chart = bar_chart(points, title="T", target_pct=Decimal("90"))
    full, half, empty = chart.bars
    assert (full.y, full.height) == (16.0, 184.0)  # the top of the plot
    assert (half.y, half.height) == (108.0, 92.0)
    assert (empty.height, empty.pct_text) == (0.0, "no data")
    assert [bar.meets_target for bar in chart.bars] == [True, False, None]
    assert chart.target_y == round(200 - 90 * 1.84, 1) and chart.target_pct == "90"
    assert chart.description == "2026-01: 100 % of 4. 2026-02: 50 % of 2. 2026-03: no data of 0. Target 90 %."


def test_twelve_bars_fit_the_same_width_and_no_target_means_no_line() -> None:
    points = [ChartPoint(f"2026-{month:02d}", "x", Decimal("10")) for month in range(1, 13)]
    chart = bar_chart(points, title="T", target_pct=None)
    assert chart.target_y is None and chart.target_pct == ""
    assert chart.bars[-1].x + chart.bar_width <= chart.width
    assert [bar.meets_target for bar in chart.bars] == [None] * 12
