"""The reports API: staff only, exact figures, the period and unknown parameters refused."""

from datetime import UTC, datetime

import pytest

from accounts.models import Role
from feedback.models import EntryKind
from tests.accounts.factories import AdminFactory, BuyerFactory, UserFactory
from tests.feedback.factories_reports import ReportEntryFactory, ReportInvitationFactory, ReportResponseFactory
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def november() -> dict[str, object]:
    seller = SellerFactory(name="Northwind")
    ReportResponseFactory(created_at=at(2026, 11, 1), overall=5, category="shipping_delivery", seller=seller)
    ReportResponseFactory(created_at=at(2026, 11, 30, 23, 59, 59), overall=2, category="shipping_delivery")
    ReportResponseFactory(created_at=at(2026, 11, 15), overall=4, category="technical", channel="chat")
    ReportResponseFactory(created_at=at(2026, 12, 1), overall=1, category="technical")  # December
    ReportResponseFactory(created_at=at(2026, 10, 31, 23, 59, 59), overall=1, category="shipping_delivery")
    ReportEntryFactory(created_at=at(2026, 11, 3), category="shipping_delivery", body="Parcel late")
    ReportEntryFactory(created_at=at(2026, 11, 3), kind=EntryKind.FEATURE_REQUEST, body="Dark mode please")
    ReportInvitationFactory(created_at=at(2026, 11, 20))
    return {"seller": seller}


def test_csat_report_gives_the_months_figures_target_and_categories(client_for, staff_user, november) -> None:  # type: ignore[no-untyped-def]
    response = client_for(staff_user).get("/api/v1/reports/csat/?period=2026-11")

    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["previous_period"]) == ("2026-11", "2026-10")
    assert (body["responses"], body["satisfied"], body["csat_pct"]) == (3, 2, "66.67")
    assert (body["target_pct"], body["meets_target"]) == ("90.00", False)
    assert (body["previous_responses"], body["previous_csat_pct"], body["change_pts"]) == (1, "0.00", "66.67")
    assert set(body["by_category"]) == {
        "technical",
        "product",
        "customer_service",
        "platform_features",
        "payment_billing",
        "shipping_delivery",
    }
    shipping = body["by_category"]["shipping_delivery"]
    assert (shipping["responses"], shipping["satisfied"], shipping["csat_pct"], shipping["change_pts"]) == (
        2,
        1,
        "50.00",
        "50.00",
    )
    assert body["by_category"]["product"]["csat_pct"] is None
    assert body["by_channel"]["chat"]["csat_pct"] == "100.00"
    assert body["by_seller"][str(november["seller"].pk)]["name"] == "Northwind"  # type: ignore[attr-defined]
    assert [point["period"] for point in body["trend"]][-1] == "2026-11"
    assert len(body["trend"]) == 12


def test_quarter_report_counts_the_whole_quarter(client_for, finance_user, november) -> None:  # type: ignore[no-untyped-def]
    body = client_for(finance_user).get("/api/v1/reports/csat/?period=2026-Q4").json()

    assert (body["period"], body["previous_period"]) == ("2026-Q4", "2026-Q3")
    assert (body["responses"], body["satisfied"], body["csat_pct"]) == (5, 2, "40.00")


def test_feedback_report_gives_volume_by_category_and_trend(client_for, staff_user, november) -> None:  # type: ignore[no-untyped-def]
    response = client_for(staff_user).get("/api/v1/reports/feedback/?period=2026-11")

    assert response.status_code == 200
    body = response.json()
    shipping = body["by_category"]["shipping_delivery"]
    assert (shipping["issues"], shipping["responses"], shipping["entries"], shipping["previous_issues"]) == (
        2,
        1,
        1,
        1,
    )
    assert body["trend"][-1] == {"period": "2026-11", "responses": 3, "issues": 2, "entries": 2, "feature_requests": 1}
    assert body["feature_requests"] == [{"key": "dark mode", "count": 1, "example": "Dark mode please"}]
    assert body["response_rate"] == {"invitations_sent": 4, "responses": 3, "rate_pct": "75.00"}


@pytest.mark.parametrize("path", ["/api/v1/reports/csat/", "/api/v1/reports/feedback/"])
@pytest.mark.parametrize("period", ["2026-13", "Q4-2026", "1999-Q1"])
def test_a_bad_period_is_a_400_naming_period(client_for, staff_user, path: str, period: str) -> None:  # type: ignore[no-untyped-def]
    response = client_for(staff_user).get(f"{path}?period={period}")

    assert response.status_code == 400
    assert "period" in response.json()
    assert set(response.json()) <= {"period", "code"}


def test_an_unknown_parameter_is_a_400_naming_it(client_for, staff_user) -> None:  # type: ignore[no-untyped-def]
    response = client_for(staff_user).get("/api/v1/reports/csat/?period=2026-11&seller=1")

    assert response.status_code == 400
    assert list(response.json()) == ["seller"]


@pytest.mark.parametrize("path", ["/api/v1/reports/csat/", "/api/v1/reports/feedback/"])
def test_only_report_staff_see_the_reports(client_for, integration_user, path: str) -> None:  # type: ignore[no-untyped-def]
    seller_member = SellerMemberFactory(seller=SellerFactory())
    for user, expected in [
        (BuyerFactory(), 404),
        (seller_member, 404),
        (integration_user, 404),
        (UserFactory(role=Role.MODERATOR), 200),
        (AdminFactory(), 200),
    ]:
        assert client_for(user).get(f"{path}?period=2026-11").status_code == expected, user.role


@pytest.mark.parametrize("extra", [0, 5])
def test_csat_report_costs_constant_statements(
    client_for, staff_user, extra: int, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for index in range(extra):
        ReportResponseFactory(created_at=at(2026, 11, 2), seller=SellerFactory(), agent=staff_user, overall=1 + index)
    client = client_for(staff_user)

    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/reports/csat/?period=2026-11").status_code == 200
