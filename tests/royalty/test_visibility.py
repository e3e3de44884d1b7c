from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from royalty.models import VisibilityScore
from royalty.services.visibility import VisibilityFigures, visibility_refresh, visibility_score
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import ProductFactory, SellerFactory, SellerMemberFactory
from tests.reviews.factories import ReviewFactory
from tests.royalty.factories import survey_response

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
IN_WINDOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def test_the_score_weighs_rating_response_rate_and_csat() -> None:
    figures = VisibilityFigures(rating=Decimal("4.50"), response_rate=Decimal("80.00"), csat=Decimal("90.00"))

    # 100 x (0.4 x 0.9 + 0.3 x 0.8 + 0.3 x 0.9)
    assert visibility_score(figures) == Decimal("87.00")


def test_a_missing_figure_counts_as_the_neutral_half() -> None:
    assert visibility_score(VisibilityFigures()) == Decimal("50.00")
    # 100 x (0.4 x 1 + 0.3 x 0.5 + 0.3 x 0.5)
    assert visibility_score(VisibilityFigures(rating=Decimal("5.00"))) == Decimal("70.00")


def test_the_weights_are_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROYALTY_VISIBILITY_WEIGHTS = {"rating": Decimal("1"), "response_rate": Decimal("0"), "csat": Decimal("0")}

    assert visibility_score(VisibilityFigures(rating=Decimal("4.00"), csat=Decimal("10"))) == Decimal("80.00")


def store_with_figures():  # type: ignore[no-untyped-def]
    seller = SellerFactory()
    product, other_product = ProductFactory(seller=seller), ProductFactory(seller=seller)
    ReviewFactory(product=product, rating=5, created_at=IN_WINDOW)
    ReviewFactory(product=product, rating=3, created_at=IN_WINDOW)
    ReviewFactory(product=product, rating=1, created_at=datetime(2026, 1, 1, tzinfo=UTC))  # outside the window
    for overall in (5, 5, 4, 2):
        survey_response(order=None, overall=overall, at=IN_WINDOW, seller_id=seller.pk)
    return seller, product, other_product


def test_refresh_stores_every_seller_and_product_score_from_their_figures() -> None:
    seller, product, other_product = store_with_figures()

    assert visibility_refresh(now=NOW) == {"sellers": 1, "products": 2}

    store = VisibilityScore.objects.get(seller=seller)
    # rating 4.00 (2 reviews), no inquiry (neutral 0.5), CSAT 75 %: 100 x (0.32 + 0.15 + 0.225)
    assert (store.rating, store.reviews, store.response_rate, store.csat, store.csat_responses) == (
        Decimal("4.00"),
        2,
        None,
        Decimal("75.00"),
        4,
    )
    assert (store.score, store.subject, store.computed_at) == (Decimal("69.50"), f"seller:{seller.pk}", NOW)
    assert VisibilityScore.objects.get(product=product).score == Decimal("69.50")
    # No review of its own: the rating is neutral, the seller's CSAT is its CSAT.
    other = VisibilityScore.objects.get(product=other_product)
    assert (other.rating, other.csat, other.score) == (None, Decimal("75.00"), Decimal("57.50"))


def test_refreshing_again_updates_the_rows_in_place() -> None:
    seller, _, _ = store_with_figures()
    visibility_refresh(now=NOW)
    ids = set(VisibilityScore.objects.values_list("id", flat=True))
    survey_response(order=None, overall=5, at=IN_WINDOW, seller_id=seller.pk)

    visibility_refresh(now=datetime(2026, 11, 30, 13, 0, tzinfo=UTC))

    assert set(VisibilityScore.objects.values_list("id", flat=True)) == ids
    assert VisibilityScore.objects.get(seller=seller).csat == Decimal("80.00")


def test_refresh_makes_the_same_statements_for_one_store_or_five(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    store_with_figures()
    # SQLite reads the response times for the medians PostgreSQL computes (one statement more).
    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 9) as one:
        visibility_refresh(now=NOW)
    for _ in range(4):
        store_with_figures()
    with django_assert_num_queries(len(one.captured_queries)):
        visibility_refresh(now=NOW)


def test_the_api_gives_the_score_its_figures_and_formula_computed_on_demand() -> None:
    seller, product, _ = store_with_figures()
    client = APIClient()
    client.force_authenticate(UserFactory(role="integration"))

    body = client.get(f"/api/v1/sellers/{seller.pk}/visibility/").json()

    assert body["rating"] == "4.00"
    assert body["csat"] == "75.00"
    assert body["response_rate"] is None
    assert body["formula"].startswith("score = 100 x (0.4 x rating/5 + 0.3 x response rate/100 + 0.3 x CSAT/100)")
    assert VisibilityScore.objects.filter(seller=seller).count() == 1
    assert client.get(f"/api/v1/products/{product.pk}/visibility/").status_code == 200
    assert client.get(f"/api/v1/sellers/{seller.pk}/visibility/", {"sort": "x"}).status_code == 400
    assert client.get(f"/api/v1/sellers/{seller.pk + 999}/visibility/").status_code == 404
    assert client.get(f"/api/v1/products/{product.pk + 999}/visibility/").status_code == 404


def test_a_store_sees_its_own_scores_and_not_another_stores() -> None:
    seller, product, _ = store_with_figures()
    client = APIClient()
    client.force_authenticate(SellerMemberFactory(seller=seller))
    assert client.get(f"/api/v1/products/{product.pk}/visibility/").status_code == 200

    for user in (SellerMemberFactory(), BuyerFactory()):
        client.force_authenticate(user)
        assert client.get(f"/api/v1/sellers/{seller.pk}/visibility/").status_code == 404
        assert client.get(f"/api/v1/products/{product.pk}/visibility/").status_code == 404
    assert not VisibilityScore.objects.filter(seller=seller).exists()  # the 404s computed nothing
