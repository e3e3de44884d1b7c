"""The console's review metrics report: exact figures per rating band and open work for the
platform and one seller, the sellers ranked, links that open lists of exactly the rows counted,
who may open it, bad parameters answered on the page, query count constant."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User
from core.periods import parse_period, period_kind, shift_period
from reviews.models import Review
from reviews.services.cases import review_case_open
from reviews.services.responses import response_post
from reviews.services.reviews import review_create
from reviews.services.sweep import reviews_escalate_unanswered
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.marketplace.factories import ProductFactory, SellerFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
MAY = NOW - timedelta(days=5)
URL = "/admin/reviews/review/metrics/"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def write(product: Any, rating: int, at: datetime) -> Review:
    return review_create(buyer=BuyerFactory(), product=product, rating=rating, title=f"{rating}★", body="x", now=at)


@pytest.fixture
def may(parties: dict[str, Any]) -> dict[str, Any]:
    """Northwind in May 2026: five reviews (three negative, one neutral, one positive), one
    answered in 2 h, one by a response held for moderation after 1 h, the positive one after 50 h
    (late); an April negative review still unanswered; a case. Southwind: one fresh negative."""
    product, member = parties["product"], parties["member"]
    unanswered = write(product, 1, MAY)
    answered = write(product, 2, MAY)
    response_post(
        review=answered, author=member, body="We are sorry, a new lid is on its way.", now=MAY + timedelta(hours=2)
    )
    held = write(product, 2, MAY + timedelta(days=1))
    response_post(review=held, author=member, body="Your fault, idiot", now=MAY + timedelta(days=1, hours=1))
    write(product, 3, MAY)
    happy = write(product, 5, MAY)
    response_post(review=happy, author=member, body="Thank you for your kind words.", now=MAY + timedelta(hours=50))
    write(product, 1, datetime(2026, 4, 10, tzinfo=UTC))
    write(parties["other_product"], 1, NOW - timedelta(hours=1))
    reviews_escalate_unanswered(now=NOW)  # the May and April negative ones of Northwind: over 48 h
    review_case_open(
        buyer=unanswered.buyer,
        kind="incorrect_content",
        description="Not what I wrote.",
        review=unanswered,
        now=NOW - timedelta(days=3),
    )
    return {"unanswered": unanswered, "held": held}


def get(user: User, query: str = "") -> Any:
    with time_machine.travel(NOW, tick=False):
        return logged_in(user).get(f"{URL}?{query}" if query else URL)


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def band_cells(response: Any, band: str) -> list[str]:
    row = re.search(rf'<tr class="sp-band-row sp-band-row--{band}[^"]*">(.*?)</tr>', response.content.decode(), re.S)
    assert row, band
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]


def work_figures(response: Any) -> dict[str, str]:
    found = re.findall(
        r'<span class="sp-work__value">([^<]*)</span>\s*<span class="sp-work__label">([^<]*)</span>',
        response.content.decode(),
    )
    return {label: value for value, label in found}


def test_seller_figures_by_rating_band_and_open_work(parties: dict[str, Any], may: dict[str, Any]) -> None:
    response = get(parties["support"], f"period=2026-05&seller={parties['seller'].pk}")
    assert response.status_code == 200
    # reviews, responded, rate, median, within target, within %
    assert band_cells(response, "negative") == ["3", "2", "66.7 %", "1 h 30 min", "2", "66.7 %"]
    assert band_cells(response, "neutral") == ["1", "0", "0 %", "—", "0", "0 %"]
    assert band_cells(response, "positive") == ["1", "1", "100 %", "2 days", "0", "0 %"]
    assert band_cells(response, "total") == ["5", "3", "60 %", "2 h 00 min", "2", "40 %"]
    assert work_figures(response) == {
        "Open negative reviews": "2",
        "Of those, escalated": "2",
        "Responses awaiting moderation": "1",
        "Flagged responses": "1",
        "Strikes": "0",
        "Open review cases": "1",
        "Oldest open case": "3 days",
    }
    page = text(response)
    assert "Northwind · May 2026" in page
    assert "Sellers, most open negative reviews first" not in page  # the ranking is the platform view's


def test_platform_figures_and_sellers_ranked_worst_first(parties: dict[str, Any], may: dict[str, Any]) -> None:
    response = get(parties["moderator"], "period=2026-05")
    assert response.status_code == 200
    assert band_cells(response, "negative") == ["4", "2", "50 %", "1 h 30 min", "2", "50 %"]
    assert band_cells(response, "total") == ["6", "3", "50 %", "2 h 00 min", "2", "33.3 %"]
    figures = work_figures(response)
    assert (figures["Open negative reviews"], figures["Of those, escalated"], figures["Open review cases"]) == (
        "3",
        "2",
        "1",
    )
    sellers = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>', response.content.decode())
    assert [name for _, name in sellers] == ["Northwind", "Southwind"]
    assert sellers[0][0] == f"{URL}?period=2026-05&amp;seller={parties['seller'].pk}"
    assert "All 2 sellers with reviews in the period or open work" in text(response)


def test_each_count_opens_the_list_of_exactly_those_rows(parties: dict[str, Any], may: dict[str, Any]) -> None:
    moderator = parties["moderator"]
    response = get(moderator, f"period=2026-05&seller={parties['seller'].pk}")
    page = response.content.decode().replace("&amp;", "&")
    links = dict(
        re.findall(
            r'<a class="sp-work__card[^"]*" href="([^"]+)">\s*<span class="sp-work__value">[^<]*</span>'
            r'\s*<span class="sp-work__label">([^<]*)</span>',
            page,
        )
    )
    by_label = {label: url for url, label in links.items()}
    negative_reviews = re.search(r'sp-band-row--negative.*?<a href="([^"]+)">3</a>', page, re.S)
    assert negative_reviews
    expected = {
        by_label["Open negative reviews"]: 2,
        by_label["Of those, escalated"]: 2,
        by_label["Responses awaiting moderation"]: 1,
        by_label["Flagged responses"]: 1,
        by_label["Strikes"]: 0,
        by_label["Open review cases"]: 1,
        negative_reviews[1]: 3,
    }
    client = logged_in(moderator)
    for url, count in expected.items():
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert listed.context["cl"].result_count == count, url


def test_support_sees_no_link_to_lists_it_may_not_open(parties: dict[str, Any], may: dict[str, Any]) -> None:
    page = get(parties["support"], "period=2026-05").content.decode()
    assert "/admin/reviews/sellerstrike/" not in page  # moderators' list
    assert "/admin/reviews/review/?" in page


@pytest.mark.parametrize("role", ["support", "moderator", "admin"])
def test_staff_who_read_reviews_open_the_report(role: str, parties: dict[str, Any]) -> None:
    user = AdminFactory() if role == "admin" else parties[role]
    response = get(user)
    assert response.status_code == 200
    assert "Platform-wide · April 2026" in text(response)  # default: the last full month, not May


def test_finance_and_integration_are_refused(parties: dict[str, Any]) -> None:
    assert get(parties["finance"]).status_code == 403
    assert get(UserFactory(role=Role.INTEGRATION)).status_code == 403


@pytest.mark.parametrize("who", ["member", "buyer"])
def test_non_staff_are_sent_to_the_console_login(who: str, parties: dict[str, Any]) -> None:
    response = get(parties[who])
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("period=foo", 400, "Period: Give a period as a month (2026-11) or a quarter (2026-Q4)"),
        ("period=2026-13", 400, "Period: A month is 01 to 12."),
        ("period=1999-Q1", 400, "Period: The year must be between 2000 and 2999."),
        ("from=2026-05-01", 400, "Period: Give the day after the range (exclusive)."),
        ("seller=abc", 400, "Seller: Choose a seller from the list (a seller&#x27;s id)."),
        ("seller=99999999999999999999", 400, "Seller: Choose a seller from the list"),
        ("seller=999999", 404, "Seller: there is no seller with id 999999."),
    ],
)
def test_bad_parameters_are_said_on_the_page(parties: dict[str, Any], query: str, status: int, message: str) -> None:
    response = get(parties["moderator"], query)
    assert response.status_code == status
    page = text(response)
    assert f'<p class="errornote">{message}' in page
    assert "sp-band-row" not in page  # nothing computed for a request it cannot answer


def test_period_navigation_month_and_quarter(parties: dict[str, Any]) -> None:
    seller = parties["seller"].pk
    page = get(parties["moderator"], f"period=2026-04&seller={seller}").content.decode().replace("&amp;", "&")
    assert f'href="{URL}?period=2026-03&seller={seller}" rel="prev"' in page
    assert f'href="{URL}?period=2026-05&seller={seller}" rel="next"' in page
    assert f'href="{URL}?period=2026-Q2&seller={seller}">Quarter</a>' in page
    quarter = get(parties["moderator"], "period=2026-Q2").content.decode().replace("&amp;", "&")
    assert "Platform-wide · Q2 2026 (April-June)" in quarter
    assert f'href="{URL}?period=2026-Q1" rel="prev"' in quarter
    assert '<span class="sp-disabled">Next &rsaquo;</span>' in quarter  # Q3 has not begun
    assert f'href="{URL}?period=2026-05"' in quarter  # Month: the quarter's current month
    assert '<option value="2026-Q2" selected>' in quarter


def test_query_count_is_constant_whatever_the_number_of_reviews_and_sellers(
    parties: dict[str, Any], may: dict[str, Any]
) -> None:
    client = logged_in(parties["moderator"])
    platform, one_seller = f"{URL}?period=2026-05", f"{URL}?period=2026-05&seller={parties['seller'].pk}"

    def count(url: str) -> int:
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count(platform)  # warm the content types cache so the counts compare
    few, seller_few = count(platform), count(one_seller)
    for _ in range(12):
        product = ProductFactory(seller=SellerFactory())
        for rating in (1, 3, 5):
            write(product, rating, MAY)
    # Without PostgreSQL's percentile_cont, each median is one more query (the figures' and the table's).
    medians = 0 if connection.vendor == "postgresql" else 1
    # session, user, 2 permissions; 7 for the figures; 1 for the 12-month chart; 6 for the sellers
    # table (1 for the names)
    assert few == count(platform) == 18 + 2 * medians
    # session, user, 2 permissions; the seller; 7 for the figures; the chart; the seller picker's option
    assert seller_few == count(one_seller) == 14 + medians
    with time_machine.travel(NOW, tick=False):
        assert client.get(platform).context["sellers_counted"] == 14


def test_the_console_leads_to_the_report(parties: dict[str, Any]) -> None:
    client = logged_in(parties["support"])
    # Among the links of the support's reviews section (core.console_navigation), on the index and
    # on the reviews' own page (whose list of models is open there).
    assert f'<li><a href="{URL}">Review metrics</a></li>' in client.get(reverse("admin:index")).content.decode()
    app_index = client.get("/admin/reviews/").content.decode()
    assert f'<li><a href="{URL}">Review metrics</a></li>' in app_index
    assert '<details class="sp-records sp-records--index" open>' in app_index
    changelist = client.get(reverse("admin:reviews_review_changelist")).content.decode()
    assert f'<li><a href="{URL}">Review metrics</a></li>' in changelist
    finance_index = logged_in(parties["finance"]).get(reverse("admin:index")).content.decode()
    assert URL not in finance_index


def test_periods_shift_across_the_year() -> None:
    def shifted(label: str, steps: int) -> str:
        return shift_period(parse_period(period=label, date_from=None, date_to=None, now=NOW), steps).label

    assert (shifted("2026-01", -1), shifted("2026-12", 1), shifted("2026-05", -17)) == ("2025-12", "2027-01", "2024-12")
    assert (shifted("2026-Q1", -1), shifted("2025-Q4", 1), shifted("2026-Q2", -5)) == ("2025-Q4", "2026-Q1", "2025-Q1")
    ranged = parse_period(period=None, date_from="2026-05-01", date_to="2026-05-08", now=NOW)
    assert period_kind(ranged) == "range"
    with pytest.raises(ValueError):
        shift_period(ranged, 1)
