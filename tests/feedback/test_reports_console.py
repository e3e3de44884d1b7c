"""The console's Feedback & CSAT report: exact figures, drill-down links that open exactly the
answers counted, the CSV, who may open it, a bad period said on the page, constant statements;
action plans kept through their services."""

import csv
import io
import re
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.test import Client

from accounts.models import Role, User
from feedback.models import ActionPlan
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.feedback.factories_reports import ActionPlanFactory, ReportEntryFactory, ReportResponseFactory
from tests.marketplace.factories import SellerFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
URL = "/admin/feedback/actionplan/report/"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def november() -> None:
    north = SellerFactory(name="Northwind")
    ReportResponseFactory(created_at=at(2026, 11, 1), overall=5, category="shipping_delivery", seller=north)
    ReportResponseFactory(
        created_at=at(2026, 11, 30, 23, 59, 59), overall=2, category="shipping_delivery", issues="Parcel late"
    )
    ReportResponseFactory(created_at=at(2026, 11, 15), overall=4, category="technical", channel="chat")
    ReportResponseFactory(created_at=at(2026, 12, 1), overall=1, category="technical")
    ReportResponseFactory(created_at=at(2026, 10, 31, 23, 59, 59), overall=1, category="shipping_delivery")
    ReportEntryFactory(created_at=at(2026, 11, 3), category="shipping_delivery", body="Parcel late again")
    ActionPlanFactory(title="Morning courier pickups", category="shipping_delivery", effective_on=date(2026, 11, 1))


@time_machine.travel(NOW, tick=False)
def test_report_shows_the_months_csat_against_the_target_and_the_change(staff_user, november) -> None:  # type: ignore[no-untyped-def]
    response = logged_in(staff_user).get(f"{URL}?period=2026-11")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Platform-wide · November 2026" in html
    headline = response.context["headline"]
    assert (headline["csat"], headline["responses"], headline["satisfied"], headline["target"]) == (
        "66.7 %",
        3,
        2,
        "90 %",
    )
    assert (headline["previous"], headline["change"], headline["meets_target"]) == ("0 %", "+66.7 pts", False)
    categories = {row["key"]: row for row in response.context["categories"]}
    assert (categories["shipping_delivery"]["csat"], categories["shipping_delivery"]["change"]) == ("50 %", "+50 pts")
    assert [bar.label for bar in response.context["trend_chart"].bars][-1] == "2026-11"
    assert response.context["trend_chart"].target_pct == "90"
    assert len(response.context["category_chart"].bars) == 6
    assert response.context["plans"][0]["plan"].title == "Morning courier pickups"
    assert 'rel="prev"' in html and "?period=2026-10" in html
    assert "?period=2026-12" in html  # next: December has begun


@time_machine.travel(NOW, tick=False)
def test_a_category_figure_opens_exactly_the_answers_behind_it(staff_user, november) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(staff_user)
    report = client.get(f"{URL}?period=2026-11")
    shipping = next(row for row in report.context["categories"] if row["key"] == "shipping_delivery")

    url = shipping["responses_url"]
    query = parse_qs(urlparse(url).query)
    assert urlparse(url).path == "/admin/feedback/surveyresponse/"
    assert query == {
        "created_at__gte": ["2026-11-01T00:00:00+00:00"],
        "created_at__lt": ["2026-12-01T00:00:00+00:00"],
        "category": ["shipping_delivery"],
    }
    listing = client.get(url)
    assert listing.status_code == 200
    shown = list(listing.context["cl"].result_list)
    assert sorted(answer.overall for answer in shown) == [2, 5]
    assert "Parcel late" in listing.content.decode()

    unsatisfied = client.get(shipping["unsatisfied_url"])
    assert [answer.overall for answer in unsatisfied.context["cl"].result_list] == [2]


@time_machine.travel(NOW, tick=False)
def test_quarter_report_and_default_period(staff_user, november) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(staff_user)

    quarter = client.get(f"{URL}?period=2026-Q4")
    default = client.get(URL)

    assert quarter.context["headline"]["responses"] == 5  # 31 Oct 23:59:59 to 1 Dec
    assert quarter.context["period_title"] == "Q4 2026 (October-December)"
    assert default.context["period"].label == "2026-11"  # the last full month


@time_machine.travel(NOW, tick=False)
def test_a_bad_period_is_said_on_the_page_and_nothing_is_computed(staff_user) -> None:  # type: ignore[no-untyped-def]
    response = logged_in(staff_user).get(f"{URL}?period=2026-13")

    assert response.status_code == 400
    assert "Period: A month is 01 to 12." in response.content.decode()
    assert "headline" not in response.context


@time_machine.travel(NOW, tick=False)
def test_csv_has_every_figure(staff_user, november) -> None:  # type: ignore[no-untyped-def]
    response = logged_in(staff_user).get(f"{URL}csv/?period=2026-11")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="feedback-report-2026-11.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:9] == [
        "section", "breakdown", "key", "name", "responses", "satisfied", "csat_pct", "previous_csat_pct", "change_pts",
    ]  # fmt: skip
    assert rows[1][:9] == ["csat", "platform", "", "All responses", "3", "2", "66.67", "0.00", "66.67"]
    assert ["csat", "category", "shipping_delivery", "Shipping and delivery", "2", "1", "50.00", "0.00", "50.00"] in [
        row[:9] for row in rows
    ]
    assert ["issues", "category", "shipping_delivery", "Shipping and delivery", "2", "1", "1", "1", "1"] in [
        row[:9] for row in rows
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.SUPPORT, 200), (Role.MODERATOR, 200), (Role.FINANCE, 200), (Role.INTEGRATION, 403)],
)
@time_machine.travel(NOW, tick=False)
def test_who_may_open_the_report(role: str, status: int) -> None:
    user = UserFactory(role=role)

    assert logged_in(user).get(URL).status_code == status
    assert logged_in(user).get(f"{URL}csv/").status_code == status


def test_non_staff_are_sent_to_the_login() -> None:
    response = logged_in(BuyerFactory()).get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("sellers", [1, 5])
@time_machine.travel(NOW, tick=False)
def test_report_page_statements_are_constant(staff_user, sellers: int, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for index in range(sellers):
        ReportResponseFactory(
            created_at=at(2026, 11, 2 + index), seller=SellerFactory(), agent=staff_user, overall=1 + index % 5,
            category="technical", issues="slow page",
        )  # fmt: skip
        ActionPlanFactory(effective_on=date(2026, 11, 1 + index))
    client = logged_in(staff_user)

    with django_assert_max_num_queries(32):
        assert client.get(f"{URL}?period=2026-11").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_staff_record_and_update_an_action_plan_through_the_console(staff_user) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(staff_user)
    form = {
        "category": "shipping_delivery",
        "keyword": "  Late ",
        "title": "Morning pickups",
        "what_changes": "The courier collects at 9:00.",
        "owner": staff_user.pk,
        "due_on": "2026-12-15",
        "effective_on": "2026-12-01",
        "status": "in_progress",
    }

    response = client.post("/admin/feedback/actionplan/add/", form)

    assert response.status_code == 302
    plan = ActionPlan.objects.get()
    assert (plan.keyword, plan.created_by, plan.created_at, plan.status) == ("late", staff_user, NOW, "in_progress")
    client.post(f"/admin/feedback/actionplan/{plan.pk}/change/", {**form, "status": "done"})
    plan.refresh_from_db()
    assert plan.status == "done"
    assert client.post(f"/admin/feedback/actionplan/{plan.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ActionPlan.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_action_plan_list_links_to_the_report(staff_user) -> None:  # type: ignore[no-untyped-def]
    html = logged_in(staff_user).get("/admin/feedback/actionplan/").content.decode()

    assert re.search(r'href="/admin/feedback/actionplan/report/"', html)


def test_admin_sees_the_report() -> None:
    assert logged_in(AdminFactory()).get(URL).status_code == 200


# --- the seller dashboard ------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_seller_dashboard_shows_the_sellers_own_csat_and_trend() -> None:
    from tests.marketplace.factories import SellerMemberFactory

    seller, other = SellerFactory(name="Northwind"), SellerFactory(name="Southwind")
    member = SellerMemberFactory(seller=seller)
    for overall in (5, 4, 2):
        ReportResponseFactory(created_at=at(2026, 12, 2), overall=overall, seller=seller)
    ReportResponseFactory(created_at=at(2026, 11, 12), overall=5, seller=seller)
    for _ in range(4):
        ReportResponseFactory(created_at=at(2026, 12, 3), overall=1, seller=other)

    response = logged_in(member).get("/seller/")

    assert response.status_code == 200
    csat = response.context["csat"]
    assert (csat.current.responses, csat.current.satisfied, csat.previous.responses) == (3, 2, 1)
    html = response.content.decode()
    assert '<span class="kpi-big is-below" id="seller-csat">66.7 %</span>' in html
    assert "Below target" in html
    assert "-33.3 pts" in html
    bars = response.context["csat_chart"].bars
    assert [(bar.label, bar.pct) for bar in bars[-2:]] == [("2026-11", 100.0), ("2026-12", 66.67)]
    assert response.context["csat_chart"].target_pct == "90"
