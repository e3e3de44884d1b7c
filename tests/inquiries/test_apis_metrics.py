"""The response-metrics and standing API: figures as the selectors give them, periods, scoping
(another seller's is a 404) and constant query counts."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import Role
from inquiries.models import SellerStanding, StandingLevel
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.inquiries.factories import SellerStandingFactory, inquiry_with_outcome
from tests.marketplace.factories import SellerFactory, SellerMemberFactory

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind")
    other = SellerFactory(name="Contoso")
    for day, after in ((2, timedelta(hours=1)), (3, timedelta(hours=2)), (4, timedelta(hours=5))):
        inquiry_with_outcome(
            seller=seller,
            opened=datetime(2026, 11, day, 9, tzinfo=UTC),
            outcome="seller",
            after=after,
            escalated=after > timedelta(hours=4),
        )
    inquiry_with_outcome(seller=seller, opened=datetime(2026, 10, 20, 9, tzinfo=UTC), outcome="open", escalated=True)
    inquiry_with_outcome(seller=seller, opened=datetime(2026, 11, 6, 9, tzinfo=UTC), outcome="excluded")
    inquiry_with_outcome(
        seller=other, opened=datetime(2026, 11, 2, 9, tzinfo=UTC), outcome="seller", after=timedelta(minutes=10)
    )
    return {
        "seller": seller,
        "other": other,
        "member": SellerMemberFactory(seller=seller),
        "other_member": SellerMemberFactory(seller=other),
        "buyer": BuyerFactory(),
        "support": UserFactory(role=Role.SUPPORT),
        "moderator": UserFactory(role=Role.MODERATOR),
    }


@pytest.fixture(autouse=True)
def frozen_now():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


def url(seller_id: int | str) -> str:
    return f"/api/v1/sellers/{seller_id}/response-metrics/"


def test_member_reads_the_month_as_api_md_says(world, client_for):
    response = client_for(world["member"]).get(url(world["seller"].pk), {"period": "2026-11"})
    assert response.status_code == 200
    assert response.json() == {
        "seller": world["seller"].pk,
        "period": "2026-11",
        "start": "2026-11-01T00:00:00Z",
        "end": "2026-12-01T00:00:00Z",
        "inquiries": 3,
        "answered": 3,
        "answered_within_target": 2,
        "within_target_pct": "66.67",
        "average_first_response_seconds": 9600,
        "median_first_response_seconds": 7200,
        "escalated": 1,
        "excluded": 1,
        "target_pct": "90.00",
        "meets_target": False,
    }


def test_quarter_and_range(world, client_for):
    client = client_for(world["support"])
    quarter = client.get(url(world["seller"].pk), {"period": "2026-Q4"}).json()
    assert (quarter["period"], quarter["inquiries"], quarter["within_target_pct"]) == ("2026-Q4", 4, "50.00")
    assert quarter["start"] == "2026-10-01T00:00:00Z" and quarter["end"] == "2027-01-01T00:00:00Z"
    ranged = client.get(url(world["seller"].pk), {"from": "2026-10-01", "to": "2026-11-01"}).json()
    assert (ranged["period"], ranged["inquiries"], ranged["answered"], ranged["escalated"]) == (
        "2026-10-01..2026-11-01",
        1,
        0,
        1,
    )
    default = client.get(url(world["seller"].pk)).json()
    assert default["period"] == "2026-12" and default["within_target_pct"] is None and default["meets_target"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "2026-Q5"}, "period"),
        ({"period": "november"}, "period"),
        ({"period": "1999-01"}, "period"),
        ({"period": "2026-11", "from": "2026-10-01", "to": "2026-11-01"}, "period"),
        ({"from": "2026-10-01"}, "to"),
        ({"to": "2026-10-01"}, "from"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"from": "2026-11-01", "to": "2026-11-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_bad_period_is_a_400_on_its_field(world, client_for, params, field):
    response = client_for(world["member"]).get(url(world["seller"].pk), params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("who", ["other_member", "buyer"])
def test_another_sellers_figures_are_not_found(world, client_for, who):
    client = client_for(world[who])
    assert client.get(url(world["seller"].pk), {"period": "2026-11"}).status_code == 404
    assert client.get(url(world["seller"].pk) + "inquiries.csv").status_code == 404
    assert client.get(f"/api/v1/sellers/{world['seller'].pk}/standing/").status_code == 404


@pytest.mark.parametrize("seller_id", ["999999", "abc", "0", "1.5"])
def test_unknown_or_odd_seller_ids_are_json_404s(world, client_for, seller_id):
    response = client_for(world["support"]).get(url(seller_id))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_anonymous_is_401(world, api_client):
    assert api_client.get(url(world["seller"].pk)).status_code == 401
    assert api_client.get("/api/v1/response-metrics/").status_code == 401


def test_platform_figures_are_for_staff_only(world, client_for):
    response = client_for(world["support"]).get("/api/v1/response-metrics/", {"period": "2026-11"})
    assert response.status_code == 200
    body = response.json()
    assert (body["seller"], body["inquiries"], body["answered_within_target"], body["within_target_pct"]) == (
        None,
        4,
        3,
        "75.00",
    )
    for who in ("member", "buyer"):
        assert client_for(world[who]).get("/api/v1/response-metrics/").status_code == 404


def test_metrics_query_count_is_constant(world, client_for, django_assert_max_num_queries):
    client = client_for(world["member"])
    client.get(url(world["seller"].pk), {"period": "2026-11"})  # warm up (token, content types)
    with django_assert_max_num_queries(5):  # token, seller, membership, figures (+ median on SQLite)
        small = client.get(url(world["seller"].pk), {"period": "2026-11"})
    for day in range(1, 28):
        inquiry_with_outcome(
            seller=world["seller"],
            opened=datetime(2026, 11, day, 14, tzinfo=UTC),
            outcome="seller",
            after=timedelta(minutes=day),
        )
    with django_assert_max_num_queries(5):
        large = client.get(url(world["seller"].pk), {"period": "2026-11"})
    assert (small.json()["inquiries"], large.json()["inquiries"]) == (3, 30)


def test_standing_shows_the_projection_and_the_history(world, client_for):
    SellerStandingFactory(seller=world["seller"], period="2026-Q3", level=StandingLevel.WARNING, tips="a\nb")
    SellerStandingFactory(seller=world["seller"], period="2026-Q2", level=StandingLevel.RESPONSIVE, tips="")
    response = client_for(world["member"]).get(f"/api/v1/sellers/{world['seller'].pk}/standing/")
    assert response.status_code == 200
    body = response.json()
    assert body["projection"]["period"] == "2026-Q4"
    assert body["projection"]["level"] == StandingLevel.WARNING
    assert (body["projection"]["inquiries"], body["projection"]["within_target_pct"]) == (4, "50.00")
    assert (
        body["projection"]["tips"][0]
        == "2 of your 4 inquiries were answered within 4 hours (50.00 %); the target is 90 %."
    )
    assert [row["period"] for row in body["history"]] == ["2026-Q3", "2026-Q2"]
    assert body["history"][0]["tips"] == ["a", "b"]
    assert body["history"][0]["effective_level"] == StandingLevel.WARNING


def test_moderator_overrides_a_standing(world, client_for):
    standing = SellerStandingFactory(seller=world["seller"], level=StandingLevel.PENALTY)
    response = client_for(world["moderator"]).post(
        f"/api/v1/standings/{standing.pk}/override/", {"level": "warning", "reason": "Our outage in August"}
    )
    assert response.status_code == 200
    assert (response.json()["level"], response.json()["effective_level"]) == ("penalty", "warning")
    standing.refresh_from_db()
    assert (standing.overridden_level, standing.override_reason, standing.overridden_by) == (
        "warning",
        "Our outage in August",
        world["moderator"],
    )


def test_override_is_403_for_members_and_support_404_for_others(world, client_for):
    standing = SellerStandingFactory(seller=world["seller"])
    body = {"level": "responsive", "reason": "please"}
    assert client_for(world["member"]).post(f"/api/v1/standings/{standing.pk}/override/", body).status_code == 403
    assert client_for(world["support"]).post(f"/api/v1/standings/{standing.pk}/override/", body).status_code == 403
    assert client_for(world["other_member"]).post(f"/api/v1/standings/{standing.pk}/override/", body).status_code == 404
    assert client_for(world["buyer"]).post(f"/api/v1/standings/{standing.pk}/override/", body).status_code == 404
    assert SellerStanding.objects.get().overridden_level == ""


def test_override_without_a_reason_is_a_400(world, client_for):
    standing = SellerStandingFactory(seller=world["seller"])
    response = client_for(world["moderator"]).post(f"/api/v1/standings/{standing.pk}/override/", {"level": "warning"})
    assert response.status_code == 400
    assert "reason" in response.json()
    assert SellerStanding.objects.get().overridden_level == ""
