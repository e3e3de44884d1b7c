"""The console's trend charts (issue 14): the index shows the platform's 12 months of inquiries
answered within 4 hours and of reviews answered within target, each with its target line; the
review metrics report shows the reviews' 12 months and opens on the last full month."""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.marketplace.factories import ProductFactory, SellerFactory
from tests.reviews.test_admin_metrics import MAY, NOW, get, logged_in, may, text, write

__all__ = ["may"]  # the fixture, shared with the report's own tests

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<tr><th scope="row">(?P<month>\d{4}-\d{2})</th><td>(?P<pct>[^<]+)</td><td>(?P<count>[^<]*)</td></tr>'
)


def chart_rows(page: str, chart_id: str) -> dict[str, tuple[str, str]]:
    """The accessible table following the chart ``chart_id``: month -> (percentage, count)."""
    start = page.index(f'id="{chart_id}-svg-title"')
    table = page[start : page.index("</table>", start)]
    return {match["month"]: (match["pct"], match["count"]) for match in ROW.finditer(table)}


def test_metrics_report_opens_on_the_last_full_month(parties: dict[str, Any], may: dict[str, Any]) -> None:
    page = text(get(parties["moderator"]))
    assert "Platform-wide · April 2026" in page
    assert '<option value="2026-04" selected>' in page
    # Asked for, the current month is still shown.
    assert "Platform-wide · May 2026" in text(get(parties["moderator"], "period=2026-05"))


def test_metrics_report_shows_the_twelve_month_chart_with_its_target(
    parties: dict[str, Any], may: dict[str, Any]
) -> None:
    page = text(get(parties["moderator"], "period=2026-05"))
    assert '<svg class="chart"' in page and 'role="img"' in page
    assert (
        '<title id="sp-trend-svg-title">Reviews answered within target, platform-wide, last 12 months</title>' in page
    )
    assert "target 90 %" in page and 'class="chart-target"' in page
    rows = chart_rows(page, "sp-trend")
    assert list(rows) == [f"2025-{month:02d}" for month in range(6, 13)] + [f"2026-{m:02d}" for m in range(1, 6)]
    # May: 6 reviews (Northwind 5, Southwind 1), 2 first answered in time; April: 1 negative, unanswered.
    assert rows["2026-05"] == ("33 %", "6 reviews, 4 negative")
    assert rows["2026-04"] == ("0 %", "1 review, 1 negative")
    assert rows["2026-03"] == ("no data", "0 reviews, 0 negative")
    assert "2026-05: 33 % of 6 reviews, 4 negative." in page  # the SVG's description
    # One seller: its own months.
    seller_page = text(get(parties["moderator"], f"period=2026-05&seller={parties['seller'].pk}"))
    assert chart_rows(seller_page, "sp-trend")["2026-05"] == ("40 %", "5 reviews, 3 negative")


def test_index_shows_both_trends_to_support_and_none_to_finance(parties: dict[str, Any], may: dict[str, Any]) -> None:
    with time_machine.travel(NOW, tick=False):
        page = text(logged_in(parties["support"]).get(reverse("admin:index")))
        finance = text(logged_in(parties["finance"]).get(reverse("admin:index")))
    assert "Trends, last 12 months" in page
    assert "Inquiries answered within 4 hours, platform-wide, by month" in page
    assert page.count("target 90 %") == 2
    reviews = chart_rows(page, "sp-review-trend")
    assert len(reviews) == 12 and reviews["2026-05"] == ("33 %", "6 reviews, 4 negative")
    inquiries = chart_rows(page, "sp-response-trend")
    assert len(inquiries) == 12 and set(inquiries.values()) == {("no data", "0")}
    assert "Trends, last 12 months" not in finance and "sp-review-trend" not in finance


def test_index_statement_count_is_constant(parties: dict[str, Any], may: dict[str, Any]) -> None:
    client = logged_in(parties["moderator"])

    def count() -> int:
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("admin:index"))
            assert response.status_code == 200 and "sp-review-trend" in response.content.decode()
        return len(queries)

    count()  # warm the caches
    few = count()
    for months_back in range(12):
        product = ProductFactory(seller=SellerFactory())
        for rating in (1, 3, 5):
            write(product, rating, MAY - timedelta(days=30 * months_back))
    assert count() == few
    # session, user, 2 permissions; a moderator's sections: review cards 3 (the sellers' section has
    # links only); the recent actions; the charts: inquiries 1 (and the first reply times on
    # SQLite), reviews 1.
    seconds = 0 if connection.vendor == "postgresql" else 1
    assert few == 10 + seconds
