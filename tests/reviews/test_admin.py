"""The reviews console: index cards with exact counts, changelist filters, actions and change-page
forms that call the services (refusals change nothing), query counts constant for 2 vs 20 rows."""

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from reviews.models import (
    AuthorKind,
    CaseKind,
    CaseStatus,
    ResponseClock,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewCase,
    ReviewCaseEvent,
    ReviewEvent,
    ReviewResponse,
    ReviewStatus,
    SellerStrike,
)
from reviews.notices import Kind
from reviews.services.cases import review_case_open
from reviews.services.responses import response_post
from reviews.services.reviews import review_create
from tests.accounts.factories import BuyerFactory, UserFactory
from tests.marketplace.factories import ProductFactory

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def write(parties: dict[str, Any], *, rating: int = 1, product: Any = None, buyer: Any = None) -> Review:
    return review_create(
        buyer=buyer or BuyerFactory(),
        product=product or parties["product"],
        rating=rating,
        title=f"{rating} stars",
        body="Cracked lid.",
        now=timezone.now(),
    )


def test_index_cards_count_exactly_what_their_lists_show(parties: dict[str, Any]) -> None:
    negative = [write(parties, rating=1) for _ in range(3)]
    write(parties, rating=5)
    ResponseClock.objects.filter(review_id=negative[0].pk).update(escalated_at=timezone.now())
    response_post(review=negative[1], author=parties["member"], body="Your fault, idiot", now=timezone.now())
    review_case_open(
        buyer=parties["buyer"],
        kind=CaseKind.MISSING_REVIEW,
        description="Gone",
        product=parties["product"],
        now=timezone.now(),
    )
    client = logged_in(parties["moderator"])
    page = client.get(reverse("admin:index")).content.decode()
    section = page.split("Reviews, live")[1]
    cards = [
        ("2", "Negative reviews awaiting a response", "needs_response=negative"),
        ("1", "Flagged responses to moderate", "status__exact=pending_moderation"),
        ("1", "Open review cases", "status__exact=open"),
        ("1", "Escalated reviews, unanswered", "escalated=unanswered"),
    ]
    for count, label, query in cards:
        assert f'<span class="sp-card__count">{count}</span>\n          <span class="sp-card__label">{label}' in section
        assert query in section
    listed = client.get(reverse("admin:reviews_review_changelist") + "?needs_response=negative")
    assert listed.context["cl"].result_count == 2
    escalated = client.get(reverse("admin:reviews_review_changelist") + "?escalated=unanswered")
    assert escalated.context["cl"].result_count == 1
    flagged = client.get(reverse("admin:reviews_reviewresponse_changelist") + "?status__exact=pending_moderation")
    assert flagged.context["cl"].result_count == 1


def test_index_cards_use_three_queries(parties: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    from reviews.selectors.queue import review_queue_counts

    write(parties)
    with django_assert_max_num_queries(3):
        counts = review_queue_counts()
    assert counts.negative_awaiting_response == 1


def test_finance_sees_no_review_cards(parties: dict[str, Any]) -> None:
    page = logged_in(parties["finance"]).get(reverse("admin:index")).content.decode()
    assert "Reviews, live" not in page


@pytest.mark.parametrize(
    ("url_name", "query", "queries"),
    [
        ("admin:reviews_review_changelist", "?rating=1&responded=yes", 9),
        ("admin:reviews_reviewresponse_changelist", "", 7),
        ("admin:reviews_reviewcase_changelist", "", 7),
        ("admin:reviews_recoveryfollowup_changelist", "?status__exact=open", 7),
    ],
)
def test_changelists_cost_the_same_queries_for_2_and_20_rows(
    parties: dict[str, Any], django_assert_num_queries: Any, url_name: str, query: str, queries: int
) -> None:
    client = logged_in(parties["moderator"])

    def add(count: int) -> None:
        for _ in range(count):
            review = write(parties, product=ProductFactory(seller=parties["seller"]))
            response_post(review=review, author=parties["member"], body="Call me: 0821234567", now=timezone.now())
            review_case_open(
                buyer=review.buyer, kind=CaseKind.WRONG_PRODUCT, description="Wrong", review=review, now=timezone.now()
            )

    add(2)
    url = reverse(url_name) + query
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    add(18)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.context["cl"].result_count == 20


def test_moderator_hides_a_review_with_a_reason_from_its_page(parties: dict[str, Any]) -> None:
    review = write(parties)
    client = logged_in(parties["moderator"])
    url = reverse("admin:reviews_review_hide", args=[review.pk])
    refused = client.post(url, {"reason": "nonsense", "note": ""})
    assert refused.status_code == 400
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.PUBLISHED
    done = client.post(url, {"reason": "fake", "note": "Same text on 12 products"})
    assert done.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.moderation_reason, review.moderated_by) == ("hidden", "fake", parties["moderator"])
    again = client.post(url, {"reason": "fake"})
    assert again.status_code == 409


def test_support_may_not_moderate_reviews(parties: dict[str, Any]) -> None:
    review = write(parties)
    client = logged_in(parties["support"])
    assert client.get(reverse("admin:reviews_review_change", args=[review.pk])).status_code == 200
    assert client.post(reverse("admin:reviews_review_hide", args=[review.pk]), {"reason": "fake"}).status_code == 403
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.PUBLISHED


def test_bulk_hide_asks_for_a_reason_then_calls_the_service_per_review(parties: dict[str, Any]) -> None:
    reviews = [write(parties) for _ in range(2)]
    client = logged_in(parties["moderator"])
    url = reverse("admin:reviews_review_changelist")
    selected = {"action": "hide_reviews", "_selected_action": [r.pk for r in reviews]}
    intermediate = client.post(url, selected)
    assert intermediate.status_code == 200 and "Hide reviews" in intermediate.content.decode()
    assert Review.objects.filter(status=ReviewStatus.HIDDEN).count() == 0
    done = client.post(url, {**selected, "apply": "1", "reason": "profanity", "note": ""})
    assert done.status_code == 302
    assert Review.objects.filter(status=ReviewStatus.HIDDEN, moderation_reason="profanity").count() == 2


def test_moderation_queue_lists_pending_first_and_request_edit_gives_strikes(parties: dict[str, Any]) -> None:
    clean_review, flagged_review = write(parties), write(parties)
    response_post(review=clean_review, author=parties["member"], body="Sorry, refund sent.", now=timezone.now())
    flagged = response_post(
        review=flagged_review, author=parties["member"], body="YOUR FAULT!!! see www.cheap.com", now=timezone.now()
    )
    client = logged_in(parties["moderator"])
    listed = client.get(reverse("admin:reviews_reviewresponse_changelist"))
    assert listed.context["cl"].result_list[0].pk == flagged.pk
    page = listed.content.decode()
    assert "Blames the customer; Shouting (capitals or !!!); Link off the platform" in page
    url = reverse("admin:reviews_reviewresponse_edit", args=[flagged.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "No blaming, no links."}).status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == ResponseStatus.EDIT_REQUESTED
    assert sorted(SellerStrike.objects.values_list("violation", flat=True)) == ["blaming", "external_link", "shouting"]
    strikes = client.get(reverse("admin:reviews_reviewresponse_changelist") + "?strikes=repeat")
    assert strikes.context["cl"].result_count == 2


def test_case_reassign_restore_and_resolve_from_the_console(parties: dict[str, Any]) -> None:
    review = write(parties, buyer=parties["buyer"], rating=4)
    case = review_case_open(
        buyer=parties["buyer"], kind=CaseKind.WRONG_PRODUCT, description="Wrong", review=review, now=timezone.now()
    )
    client = logged_in(parties["support"])
    change = client.get(reverse("admin:reviews_reviewcase_change", args=[case.pk])).content.decode()
    assert "Move review to a product" in change and "Resolve" in change
    reassign = reverse("admin:reviews_reviewcase_reassign", args=[case.pk])
    assert "admin/js/autocomplete.js" in client.get(reassign).content.decode()
    same = client.post(reassign, {"product": parties["product"].pk})
    assert same.status_code == 400 and "The review is already on this product." in same.content.decode()
    assert client.post(reassign, {"product": parties["second_product"].pk, "note": "kettle"}).status_code == 302
    assert Review.objects.get(pk=review.pk).product_id == parties["second_product"].pk
    resolve = reverse("admin:reviews_reviewcase_resolve", args=[case.pk])
    too_much = client.post(resolve, {"resolution": "Moved", "compensation_amount": "999999"})
    assert too_much.status_code == 400 and "Compensation cannot exceed the order total." in too_much.content.decode()
    assert (
        client.post(resolve, {"resolution": "Moved", "compensation_amount": "5.00", "coupon_code": "SORRY"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert (case.status, str(case.compensation_amount), case.coupon_code) == (CaseStatus.RESOLVED, "5.00", "SORRY")
    assert list(ReviewCaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "opened",
        "reassigned",
        "resolved",
    ]
    assert client.post(resolve, {"resolution": "again"}).status_code == 409


def test_platform_templates_go_through_the_service_and_sellers_are_read_only(parties: dict[str, Any]) -> None:
    client = logged_in(parties["moderator"])
    add = reverse("admin:reviews_responsetemplate_add")
    bad = client.post(add, {"situation": "positive", "title": "Thanks", "body": "Hi {unknown}"})
    assert bad.status_code == 200 and "Unknown placeholder {unknown}" in bad.content.decode()
    assert (
        client.post(add, {"situation": "positive", "title": "Thanks", "body": "Hi {customer_name}"}).status_code == 302
    )
    template = ResponseTemplate.objects.get(title="Thanks")
    assert (template.seller_id, template.created_by) == (None, parties["moderator"])
    own = ResponseTemplate.objects.create(seller=parties["seller"], situation="positive", title="Own", body="x")
    page = client.get(reverse("admin:reviews_responsetemplate_change", args=[own.pk])).content.decode()
    assert 'name="body"' not in page  # view only
    assert ReviewCase.objects.count() == 0


def test_support_responds_as_staff_from_the_review_page(parties: dict[str, Any]) -> None:
    review = write(parties, buyer=parties["buyer"])
    client = logged_in(parties["support"])
    url = reverse("admin:reviews_review_respond", args=[review.pk])
    change = client.get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    assert url in change and "Respond as staff" in change
    assert client.get(url).status_code == 200
    done = client.post(url, {"body": "Sorry, we have asked the store to refund you.", "template": ""})
    assert done.status_code == 302 and done["Location"] == reverse("admin:reviews_review_change", args=[review.pk])
    response = ReviewResponse.objects.get(review=review)
    assert (response.author_kind, response.author, response.status, response.seller_id) == (
        AuthorKind.STAFF,
        parties["support"],
        ResponseStatus.PUBLISHED,
        None,
    )
    assert Review.objects.get(pk=review.pk).first_response_at == response.created_at
    notice = Notification.objects.get(recipient=parties["buyer"], kind=Kind.REVIEW_RESPONSE)
    assert notice.body == "Sorry, we have asked the store to refund you."
    again = client.post(url, {"body": "Once more"})
    assert again.status_code == 409 and "already has a response of yours" in again.content.decode()
    assert ReviewResponse.objects.filter(review=review).count() == 1


def test_staff_response_with_a_platform_template(parties: dict[str, Any]) -> None:
    review = write(parties, buyer=parties["buyer"])
    template = ResponseTemplate.objects.create(
        seller=None, situation="negative", title="Sorry", body="Dear {customer_name}, we are sorry."
    )
    own = ResponseTemplate.objects.create(seller=parties["seller"], situation="negative", title="Own", body="x")
    client = logged_in(parties["support"])
    url = reverse("admin:reviews_review_respond", args=[review.pk])
    assert client.post(url, {"template": own.pk}).status_code == 400  # a store's own: not offered
    both = client.post(url, {"template": template.pk, "body": "Typed too"})
    assert both.status_code == 400 and "Give either a body or a template." in both.content.decode()
    assert not ReviewResponse.objects.exists()
    assert client.post(url, {"template": template.pk, "body": ""}).status_code == 302
    response = ReviewResponse.objects.get(review=review)
    assert (response.template, response.body) == (template, "Dear Alice, we are sorry.")


def test_staff_response_refusals_write_nothing(parties: dict[str, Any]) -> None:
    review = write(parties, buyer=parties["buyer"])
    url = reverse("admin:reviews_review_respond", args=[review.pk])
    view_only = UserFactory(username="viewer-1", is_staff=True)
    view_only.user_permissions.add(Permission.objects.get(codename="view_review", content_type__app_label="reviews"))
    # Like every console action: a review the user may not see (finance has no view permission on
    # reviews) or that does not exist is a 404; one they may see but not answer, a 403.
    missing = reverse("admin:reviews_review_respond", args=[review.pk + 1000])
    for user, status in ((parties["finance"], 404), (view_only, 403)):
        client = logged_in(user)
        assert client.post(url, {"body": "Hello"}).status_code == status
        assert client.get(url).status_code == status
        assert client.get(missing).status_code == 404
    assert (
        "Respond as staff"
        not in logged_in(view_only).get(reverse("admin:reviews_review_change", args=[review.pk])).content.decode()
    )
    blank = logged_in(parties["support"]).post(url, {"body": "   ", "template": ""})
    assert blank.status_code == 400
    assert "Give either a body or a template." in blank.content.decode()
    assert blank.context["form"].errors["body"]
    assert not ReviewResponse.objects.exists()
    assert not ReviewEvent.objects.filter(kind=ReviewEvent.Kind.RESPONDED).exists()
    assert not Notification.objects.filter(kind=Kind.REVIEW_RESPONSE).exists()
    assert Review.objects.get(pk=review.pk).first_response_at is None
