"""The demo reviews ``seed_demo`` replays through the reviews services: what the demo seller, the
demo buyer and the console see after ``make run``, counters that add up, and nothing mailed."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.models import OrderStatus, Seller
from notifications.models import EmailStatus, Notification
from reviews.models import (
    AuthorKind,
    CaseKind,
    CaseStatus,
    FollowUpStatus,
    ProductRating,
    RecoveryFollowUp,
    ResponseClock,
    ResponseStatus,
    Review,
    ReviewCase,
    ReviewEvent,
    ReviewResponse,
    ReviewStatus,
    SellerRating,
    SellerStrike,
)
from reviews.selectors.needs_response import seller_reviews_needing_response
from reviews.services.sweep import reviews_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    call_command("seed_demo", "--orders", "100", stdout=StringIO())


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_demo_seller_sees_negative_reviews_first_one_in_time_one_overdue(seeded: None) -> None:
    now = timezone.now()
    store = Seller.objects.get(memberships__user__username="seller")

    queue = list(seller_reviews_needing_response(seller_id=store.pk, now=now))

    negatives = [review for review in queue if review.is_negative]
    assert queue[: len(negatives)] == negatives  # negative first
    overdue = [review.is_overdue for review in negatives]  # type: ignore[attr-defined]
    assert overdue[:3] == [True, True, False]  # past 48 h (for the sweep), past 24 h, time left
    assert sum(overdue) == 2
    page = signed_in("seller").get("/seller/reviews/")
    assert page.status_code == 200
    for review in negatives:
        assert review.title in page.content.decode()


def test_ratings_are_the_aggregates_of_the_published_reviews(seeded: None) -> None:
    published = Review.objects.filter(status=ReviewStatus.PUBLISHED).order_by()
    stars = {f"stars_{star}": Count("id", filter=Q(rating=star)) for star in range(1, 6)}
    by_product = {
        row["product_id"]: row
        for row in published.values("product_id").annotate(count=Count("id"), total=Sum("rating"), **stars)
    }
    by_seller = {
        row["seller_id"]: row
        for row in published.values("seller_id").annotate(count=Count("id"), total=Sum("rating"), **stars)
    }
    fields = ["count", "total", *stars]

    assert len(by_product) >= 20
    assert {
        row.product_id: {name: getattr(row, name) for name in fields}
        for row in ProductRating.objects.filter(count__gt=0)
    } == {pk: {name: row[name] for name in fields} for pk, row in by_product.items()}
    assert {
        row.seller_id: {name: getattr(row, name) for name in fields} for row in SellerRating.objects.filter(count__gt=0)
    } == {pk: {name: row[name] for name in fields} for pk, row in by_seller.items()}


def test_history_reads_like_a_marketplace(seeded: None) -> None:
    reviews = list(Review.objects.select_related("order"))
    assert len(reviews) >= 60
    assert all(review.verified_purchase and review.order is not None for review in reviews)
    assert all(review.order.status == OrderStatus.DELIVERED for review in reviews if review.order)
    oldest = min(review.created_at for review in reviews)
    assert timezone.now() - oldest > timedelta(days=90)
    positive = sum(review.rating >= 4 for review in reviews)
    negative = sum(review.is_negative for review in reviews)
    assert positive / len(reviews) >= 0.6
    assert negative >= 5
    # Negative reviews read like complaints, 5-star ones like praise.
    assert not any(review.rating == 5 and "late" in review.title.lower() for review in reviews)
    # The stores with members answer most reviews, mostly with the starter templates, some late.
    seller_responses = ReviewResponse.objects.filter(author_kind=AuthorKind.SELLER)
    assert seller_responses.filter(template__isnull=False).count() > seller_responses.count() / 2
    for username, share in (("seller", 0.9), ("seller2", 0.75)):  # the second store is slower
        store = Seller.objects.get(memberships__user__username=username)
        store_reviews = Review.objects.filter(seller=store, created_at__lt=timezone.now() - timedelta(days=7))
        answered = store_reviews.filter(first_response_at__isnull=False).count()
        assert answered >= share * store_reviews.count()
    late = Review.objects.filter(first_response_at__gt=F("response_due_at"))
    assert late.exists()
    assert ResponseClock.objects.filter(escalated_at__isnull=False).exists()
    assert ReviewResponse.objects.filter(author_kind=AuthorKind.STAFF, status=ResponseStatus.PUBLISHED).exists()
    for response in ReviewResponse.objects.select_related("review"):
        assert response.created_at > response.review.created_at


def test_flagged_responses_wait_for_a_moderator_and_upheld_ones_left_strikes(seeded: None) -> None:
    held = ReviewResponse.objects.filter(status=ResponseStatus.PENDING_MODERATION)

    assert held.count() == 2
    assert all(response.flagged and response.flag_reasons for response in held)
    assert {reason for response in held for reason in response.flag_reasons} == {"blaming", "contact_details"}
    # Everything else the stores wrote passed the check, or a moderator dealt with it.
    assert ReviewResponse.objects.filter(flagged=True).exclude(pk__in=held).count() == 3
    assert ReviewEvent.objects.filter(kind=ReviewEvent.Kind.RESPONSE_APPROVED).count() == 1
    assert SellerStrike.objects.count() == 2
    page = signed_in("seller2").get("/seller/reviews/").content.decode()
    assert "Responses a moderator is holding" in page
    assert "Held for moderation because: Blames the customer." in page


def test_cases_in_each_state_and_follow_ups_in_each_state(seeded: None) -> None:
    cases = ReviewCase.objects.all()
    assert {(case.kind, case.status) for case in cases} == {
        (CaseKind.MISSING_REVIEW, CaseStatus.OPEN),
        (CaseKind.MISSING_REVIEW, CaseStatus.RESOLVED),
        (CaseKind.WRONG_PRODUCT, CaseStatus.RESOLVED),
        (CaseKind.INCORRECT_CONTENT, CaseStatus.OPEN),
        (CaseKind.INCORRECT_CONTENT, CaseStatus.RESOLVED),
    }
    for case in cases.filter(status=CaseStatus.RESOLVED).select_related("resolved_by"):
        assert case.resolution and case.resolved_by is not None and case.resolved_by.is_staff
    moved = cases.get(kind=CaseKind.WRONG_PRODUCT)
    assert moved.review is not None and moved.review.product_id == moved.product_id
    assert ReviewEvent.objects.filter(kind=ReviewEvent.Kind.REASSIGNED, review=moved.review).exists()
    assert Review.objects.filter(status=ReviewStatus.REMOVED, moderation_reason="private_information").count() == 1

    states = set(RecoveryFollowUp.objects.values_list("status", flat=True))
    assert states == {FollowUpStatus.OPEN, FollowUpStatus.RESOLVED, FollowUpStatus.ESCALATED}
    assert ReviewEvent.objects.filter(kind=ReviewEvent.Kind.FOLLOW_UP_UNRESOLVED).exists()
    # The demo buyer has a follow-up to answer, after a response she can read.
    page = signed_in("buyer").get("/reviews/")
    assert page.status_code == 200
    assert "put things right?" in page.content.decode()


def test_the_first_sweep_escalates_exactly_the_review_left_for_it(seeded: None) -> None:
    before = set(ResponseClock.objects.filter(escalated_at__isnull=False).values_list("review_id", flat=True))

    now = timezone.now()
    result = reviews_sweep(now=now)

    assert result["escalated"] == 1
    assert result.get("follow_ups_escalated", 0) == 0
    (escalated,) = ResponseClock.objects.filter(escalated_at__isnull=False).exclude(review_id__in=before)
    assert escalated.escalated_at == now and escalated.review.seller.name == "Northwind Outfitters"
    assert now - escalated.review.created_at > settings.REVIEWS_ESCALATE_AFTER


def test_nothing_is_mailed_and_old_notifications_are_read(seeded: None) -> None:
    reviews_notifications = Notification.objects.filter(kind__startswith="review")
    assert reviews_notifications.count() >= 50
    assert not reviews_notifications.exclude(email_status=EmailStatus.NOT_REQUIRED).exists()
    assert not Notification.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=1), read_at__isnull=True
    ).exists()
    assert reviews_notifications.filter(read_at__isnull=True).exists()  # the last day's are news
    assert not Notification.objects.filter(created_at__gt=timezone.now()).exists()
    assert mail.outbox == []
