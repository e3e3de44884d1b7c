"""The reviews pages: the seller's queue and response page, the buyer's reviews, follow-up and
cases. Writes go through the services (refusals shown next to the field, 400/409), others'
records are 404, list pages cost the same number of queries for 2 rows as for 20."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reviews.models import (
    CaseKind,
    CaseStatus,
    FollowUpStatus,
    RecoveryFollowUp,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewCase,
    ReviewResponse,
)
from reviews.services.cases import review_case_open, review_case_resolve
from reviews.services.responses import response_post
from reviews.services.reviews import review_create
from reviews.services.templates import starter_templates_install
from tests.marketplace.factories import OrderFactory, ProductFactory
from tests.reviews.factories import ResponseTemplateFactory

pytestmark = pytest.mark.django_db

# Session, user, store, queue, held responses, rating, and the review metrics twice (month and
# quarter: six queries each on PostgreSQL, seven on SQLite where the median is computed in Python).
SELLER_QUEUE_QUERIES = 25 if connection.vendor == "sqlite" else 23


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def write(parties: dict[str, Any], *, rating: int = 1, product: Any = None, buyer: Any = None) -> Review:
    return review_create(
        buyer=buyer or parties["buyer"],
        product=product or parties["product"],
        rating=rating,
        title="Arrived broken" if rating <= 2 else "Lovely",
        body="The <b>lid</b> was cracked." if rating <= 2 else "Works well.",
        now=timezone.now(),
    )


# --- buyer: write a review --------------------------------------------------------------------


def test_buyer_writes_a_review_from_an_order(parties: dict[str, Any]) -> None:
    client = logged_in(parties["buyer"])
    url = f"{reverse('reviews-new')}?order={parties['order'].pk}&product={parties['product'].pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert parties["product"].name in page.content.decode()
    response = client.post(
        url, {"product": parties["product"].pk, "rating": "1", "title": "Broken", "body": "Cracked lid."}
    )
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review-detail", args=[review.pk])
    assert (review.rating, review.verified_purchase, review.order_id) == (1, True, parties["order"].pk)
    assert RecoveryFollowUp.objects.filter(review=review).count() == 1


def test_the_rating_is_a_star_picker_of_five_radio_buttons_lowest_first(parties: dict[str, Any]) -> None:
    url = f"{reverse('reviews-new')}?order={parties['order'].pk}&product={parties['product'].pk}"

    html = logged_in(parties["buyer"]).get(url).content.decode()

    picker = html[html.index("data-star-picker>") : html.index("data-star-picker-text")]
    assert [int(value) for value in re.findall(r'name="rating" value="(\d)"', picker)] == [1, 2, 3, 4, 5]
    assert picker.count('class="star-input"') == 5
    assert '<span class="visually-hidden">4 stars: Good</span>' in picker
    assert '<span class="visually-hidden">1 star: Very poor</span>' in picker


def test_review_form_errors_are_shown_next_to_the_field_and_nothing_is_written(parties: dict[str, Any]) -> None:
    client = logged_in(parties["buyer"])
    url = f"{reverse('reviews-new')}?order={parties['order'].pk}"
    response = client.post(url, {"product": parties["product"].pk, "rating": "4", "title": "Fine", "body": "   "})
    assert response.status_code == 400
    assert "This field may not be blank." in response.content.decode()
    assert Review.objects.count() == 0


def test_reviewing_the_same_product_twice_is_a_conflict(parties: dict[str, Any]) -> None:
    write(parties, rating=5)
    client = logged_in(parties["buyer"])
    url = f"{reverse('reviews-new')}?order={parties['order'].pk}"
    response = client.post(url, {"product": parties["product"].pk, "rating": "4", "title": "Again", "body": "x"})
    assert response.status_code == 409
    assert "You have already reviewed this product." in response.content.decode()
    assert Review.objects.count() == 1


def test_another_buyers_order_or_a_product_outside_the_order_is_not_found(parties: dict[str, Any]) -> None:
    other = logged_in(parties["other_buyer"])
    assert other.get(f"{reverse('reviews-new')}?order={parties['order'].pk}").status_code == 404
    mine = logged_in(parties["buyer"])
    url = f"{reverse('reviews-new')}?order={parties['order'].pk}&product={parties['other_product'].pk}"
    assert mine.get(url).status_code == 404
    response = mine.post(
        f"{reverse('reviews-new')}?order={parties['order'].pk}",
        {"product": parties["other_product"].pk, "rating": "5", "title": "t", "body": "b"},
    )
    assert response.status_code == 400
    assert Review.objects.count() == 0


# --- buyer: responses and follow-up --------------------------------------------------------------


def test_buyer_sees_only_published_responses_and_answers_the_follow_up(parties: dict[str, Any]) -> None:
    review = write(parties)
    flagged = response_post(
        review=review, author=parties["member"], body="This is YOUR FAULT, idiot!!!", now=timezone.now()
    )
    assert flagged.status == ResponseStatus.PENDING_MODERATION
    client = logged_in(parties["buyer"])
    page = client.get(reverse("reviews")).content.decode()
    assert "YOUR FAULT" not in page
    assert "The &lt;b&gt;lid&lt;/b&gt; was cracked." in page  # plain text, escaped
    assert "Did Northwind put things right?" not in page

    ReviewResponse.objects.filter(pk=flagged.pk).update(status=ResponseStatus.HIDDEN)
    Review.objects.filter(pk=review.pk).update(first_response_at=None)
    response_post(
        review=review, author=parties["member"], body="We are sorry: a replacement is on its way.", now=timezone.now()
    )
    page = client.get(reverse("review-detail", args=[review.pk])).content.decode()
    assert "We are sorry: a replacement is on its way." in page
    assert "Did Northwind put things right?" in page

    answered = client.post(
        reverse("review-follow-up", args=[review.pk]), {"resolved": "no", "comment": "Still waiting"}
    )
    assert answered.status_code == 302
    follow_up = RecoveryFollowUp.objects.get(review=review)
    assert (follow_up.status, follow_up.customer_comment) == (FollowUpStatus.ESCALATED, "Still waiting")
    again = client.post(reverse("review-follow-up", args=[review.pk]), {"resolved": "no"})
    assert again.status_code == 409
    assert "Senior support already has this issue." in again.content.decode()


def test_follow_up_before_any_response_is_refused(parties: dict[str, Any]) -> None:
    review = write(parties)
    response = logged_in(parties["buyer"]).post(reverse("review-follow-up", args=[review.pk]), {"resolved": "yes"})
    assert response.status_code == 409
    assert RecoveryFollowUp.objects.get(review=review).status == FollowUpStatus.OPEN


@pytest.mark.parametrize("url_name", ["review-detail", "review-follow-up"])
def test_another_buyers_review_is_not_found(parties: dict[str, Any], url_name: str) -> None:
    review = write(parties)
    client = logged_in(parties["other_buyer"])
    url = reverse(url_name, args=[review.pk])
    response = client.post(url, {"resolved": "yes"}) if url_name == "review-follow-up" else client.get(url)
    assert response.status_code == 404


def test_buyer_reviews_page_costs_the_same_queries_for_2_and_20_reviews(
    parties: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client = logged_in(parties["buyer"])

    def add(count: int) -> None:
        for _ in range(count):
            product = ProductFactory(seller=parties["seller"])
            OrderFactory(buyer=parties["buyer"], seller=parties["seller"])
            review = write(parties, product=product, rating=2)
            response_post(review=review, author=parties["member"], body="Sorry, refund sent.", now=timezone.now())

    add(2)
    client.get(reverse("reviews"))
    with django_assert_num_queries(10) as small:  # 9, and the page's count
        assert client.get(reverse("reviews")).status_code == 200
    add(18)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("reviews")).status_code == 200


def test_buyer_reviews_are_paged_and_filtered_by_stars_answer_and_words(parties: dict[str, Any]) -> None:
    reviews = []
    for index in range(23):
        product = ProductFactory(seller=parties["seller"], name=f"Kettle {index}" if index % 2 else f"Toaster {index}")
        reviews.append(write(parties, product=product, rating=1 + index % 5))
    response_post(review=reviews[0], author=parties["member"], body="Sorry, refund sent.", now=timezone.now())
    client = logged_in(parties["buyer"])

    first = client.get(reverse("reviews")).content.decode()
    third = client.get(reverse("reviews"), {"page": 3}).content.decode()
    ones = client.get(reverse("reviews"), {"rating": 1}).content.decode()
    answered = client.get(reverse("reviews"), {"answered": "yes"}).content.decode()
    kettles_4 = client.get(reverse("reviews"), {"q": "kettle", "rating": 4}).content.decode()
    none = client.get(reverse("reviews"), {"q": "teapot"}).content.decode()

    assert first.count('<article class="card review-card') == 10 and "Page 1 of 3" in first
    assert third.count('<article class="card review-card') == 3
    assert "Toaster 0" in third  # the oldest review is on the last page
    assert ">5 reviews<" in ones  # ratings 1, 1, 1, 1, 1 of indexes 0, 5, 10, 15, 20
    assert ones.count('<article class="card review-card') == 5
    assert answered.count('<article class="card review-card') == 1 and "Toaster 0" in answered
    assert kettles_4.count('<article class="card review-card') == 2  # Kettle 3 and Kettle 13
    assert "No review matches these filters" in none
    assert f'href="/messages/new/?product={reviews[0].product_id}">Ask Northwind about it</a>' in third
    page_2_of_ones = client.get(reverse("reviews"), {"rating": 1, "q": "", "page": 2}).status_code
    assert page_2_of_ones == 200  # a page past the end shows the last one


# --- buyer: cases -----------------------------------------------------------------------------


def test_buyer_reports_a_review_on_the_wrong_product_and_follows_the_case(parties: dict[str, Any]) -> None:
    review = write(parties, rating=4)
    client = logged_in(parties["buyer"])
    response = client.post(
        reverse("review-cases-new"),
        {"kind": CaseKind.WRONG_PRODUCT, "review": review.pk, "description": "It was about the kettle."},
    )
    case = ReviewCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("review-case", args=[case.pk])
    assert (case.kind, case.review_id, case.status) == (CaseKind.WRONG_PRODUCT, review.pk, CaseStatus.OPEN)
    review_case_resolve(
        case=case, actor=parties["support"], resolution="Moved to the kettle.", coupon_code="SORRY5", now=timezone.now()
    )
    page = client.get(reverse("review-case", args=[case.pk])).content.decode()
    assert "Resolved" in page and "Moved to the kettle." in page and "SORRY5" in page


def test_case_without_its_review_is_refused_next_to_the_field(parties: dict[str, Any]) -> None:
    response = logged_in(parties["buyer"]).post(
        reverse("review-cases-new"), {"kind": CaseKind.WRONG_PRODUCT, "description": "Wrong product"}
    )
    assert response.status_code == 400
    assert "Say which of your reviews this is about." in response.content.decode()
    assert ReviewCase.objects.count() == 0


def test_another_buyers_case_is_not_found(parties: dict[str, Any]) -> None:
    case = review_case_open(
        buyer=parties["buyer"],
        kind=CaseKind.MISSING_REVIEW,
        description="Gone",
        product=parties["product"],
        now=timezone.now(),
    )
    assert logged_in(parties["other_buyer"]).get(reverse("review-case", args=[case.pk])).status_code == 404
    assert logged_in(parties["buyer"]).get(reverse("review-case", args=[case.pk])).status_code == 200


# --- seller -------------------------------------------------------------------------------------


def test_seller_queue_puts_negative_reviews_first_with_time_left(parties: dict[str, Any]) -> None:
    positive = write(parties, rating=5)
    negative = write(parties, rating=1, buyer=parties["other_buyer"])
    page = logged_in(parties["member"]).get(reverse("seller-reviews")).content.decode()
    assert page.index(f"/seller/reviews/{negative.pk}/") < page.index(f"/seller/reviews/{positive.pk}/")
    assert "1 urgent" in page
    assert "left" in page  # the countdown
    # "Urgent" never beside a green (calm) countdown: the negative review's is amber until overdue.
    rows = page.split('<li class="inbox-row')[1:]
    negative_row = next(row for row in rows if f"/seller/reviews/{negative.pk}/" in row)
    positive_row = next(row for row in rows if f"/seller/reviews/{positive.pk}/" in row)
    assert 'class="countdown is-urgent"' in negative_row and "Urgent" in negative_row
    assert 'class="countdown"' in positive_row and "Urgent" not in positive_row
    detail = logged_in(parties["member"]).get(reverse("seller-review", args=[negative.pk])).content.decode()
    assert 'class="countdown is-urgent"' in detail


def test_seller_queue_counts_every_waiting_review_beyond_the_page(parties: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr("reviews.views.QUEUE_LIMIT", 2)
    for rating in (1, 2, 5):
        write(parties, product=ProductFactory(seller=parties["seller"]), rating=rating)
    page = logged_in(parties["member"]).get(reverse("seller-reviews")).content.decode()
    assert '<span class="count-pill">3</span>' in page
    assert "2 urgent" in page
    assert "The first 2 of 3" in page
    assert page.count('class="inbox-row') == 2


def test_seller_queue_costs_the_same_queries_for_2_and_20_reviews(
    parties: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client = logged_in(parties["member"])

    def add(count: int) -> None:
        for _ in range(count):
            write(parties, product=ProductFactory(seller=parties["seller"]), rating=1)

    add(2)
    client.get(reverse("seller-reviews"))
    with django_assert_num_queries(SELLER_QUEUE_QUERIES) as small:
        assert client.get(reverse("seller-reviews")).status_code == 200
    add(18)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("seller-reviews")).status_code == 200


def test_seller_responds_from_a_template_with_a_server_rendered_preview(parties: dict[str, Any]) -> None:
    starter_templates_install()
    template = ResponseTemplate.objects.get(title="Product defect: replacement or refund")
    review = write(parties)
    client = logged_in(parties["member"])
    page = client.get(reverse("seller-review", args=[review.pk]), {"template": template.pk}).content.decode()
    assert "Hi Alice, thank you for telling us about the problem" in page
    assert "Preview — as the customer will see it" in page
    body = page.split('name="body"')[1].split(">", 1)[1].split("</textarea>")[0]
    response = client.post(
        reverse("seller-review", args=[review.pk]), {"body": body.replace("&#x27;", "'"), "template": template.pk}
    )
    assert response.status_code == 302
    answer = ReviewResponse.objects.get(review=review)
    assert (answer.status, answer.template_id) == (ResponseStatus.PUBLISHED, template.pk)


def _template_order(page: str) -> list[str]:
    picker = page[
        page.index("data-review-template-picker") : page.index("</select>", page.index("data-review-template-picker"))
    ]
    return re.findall(r'<option value="\d+"[^>]*>([^<]*?) —', picker)


def test_templates_are_suggested_by_rating_and_words_best_first(parties: dict[str, Any]) -> None:
    starter_templates_install()
    client = logged_in(parties["member"])
    broken, late, praise = (
        review_create(buyer=buyer, product=product, rating=rating, title=title, body=body, now=timezone.now())
        for buyer, product, rating, title, body in (
            (parties["buyer"], parties["product"], 1, "Arrived broken", "The lid was cracked and it leaks."),
            (parties["other_buyer"], parties["product"], 2, "Took weeks", "The delivery was late, three weeks."),
            (parties["buyer"], parties["second_product"], 5, "Love it", "Excellent quality, works well."),
        )
    )

    broken_page = client.get(reverse("seller-review", args=[broken.pk])).content.decode()
    late_page = client.get(reverse("seller-review", args=[late.pk])).content.decode()
    praise_page = client.get(reverse("seller-review", args=[praise.pk])).content.decode()

    assert _template_order(broken_page)[0] == "Negative: product defect"
    assert "Positive review" in _template_order(broken_page)[-2:]  # not offered first for a 1★ review
    assert "Suggested template for this 1★ review" in broken_page
    assert '<strong class="suggestion-title">Negative: product defect' in broken_page
    assert _template_order(late_page)[0] == "Negative: late delivery"
    assert _template_order(praise_page)[0] == "Positive review"
    assert '<strong class="suggestion-title">Positive review' in praise_page


def test_seller_preview_shows_the_standards_check_without_posting(parties: dict[str, Any]) -> None:
    review = write(parties)
    response = logged_in(parties["member"]).post(
        reverse("seller-review", args=[review.pk]), {"body": "Email me at shop@example.com", "preview": "1"}
    )
    assert response.status_code == 200
    assert "This would be held for moderation because: Contact details (email or phone)." in response.content.decode()
    assert ReviewResponse.objects.count() == 0


def test_flagged_response_is_held_and_the_seller_is_told_why(parties: dict[str, Any]) -> None:
    review = write(parties)
    client = logged_in(parties["member"])
    response = client.post(reverse("seller-review", args=[review.pk]), {"body": "Call 0821234567 now"}, follow=True)
    page = response.content.decode()
    assert "held for moderation because: Contact details (email or phone)" in page
    assert ReviewResponse.objects.get().status == ResponseStatus.PENDING_MODERATION
    queue = client.get(reverse("seller-reviews")).content.decode()
    assert "Waiting for a moderator" in queue


def test_empty_response_is_refused_next_to_the_field(parties: dict[str, Any]) -> None:
    review = write(parties)
    response = logged_in(parties["member"]).post(reverse("seller-review", args=[review.pk]), {"body": "  "})
    assert response.status_code == 400
    assert "This field may not be blank." in response.content.decode()
    assert ReviewResponse.objects.count() == 0


def test_another_stores_review_is_not_found(parties: dict[str, Any]) -> None:
    review = write(parties)
    client = logged_in(parties["other_member"])
    assert client.get(reverse("seller-review", args=[review.pk])).status_code == 404
    assert client.post(reverse("seller-review", args=[review.pk]), {"body": "Hi"}).status_code == 404
    assert ReviewResponse.objects.count() == 0


def test_seller_manages_own_response_templates(parties: dict[str, Any]) -> None:
    client = logged_in(parties["member"])
    bad = client.post(reverse("seller-review-templates"), {"situation": "positive", "title": "T", "body": "Hi {nope}"})
    assert bad.status_code == 400 and "Unknown placeholder {nope}" in bad.content.decode()
    created = client.post(
        reverse("seller-review-templates"),
        {"situation": "positive", "title": "Thanks", "body": "Thanks {customer_name}"},
    )
    assert created.status_code == 302
    template = ResponseTemplate.objects.get(seller=parties["seller"])
    assert (
        logged_in(parties["other_member"]).get(reverse("seller-review-template-edit", args=[template.pk])).status_code
        == 404
    )
    client.post(
        reverse("seller-review-template-edit", args=[template.pk]),
        {"situation": "positive", "title": "Thanks!", "body": "Thank you {customer_name}"},
    )
    template.refresh_from_db()
    assert (template.title, template.body) == ("Thanks!", "Thank you {customer_name}")
    client.post(reverse("seller-review-template-archive", args=[template.pk]))
    template.refresh_from_db()
    assert template.archived_at is not None


def test_seller_copies_a_platform_template_into_their_own(parties: dict[str, Any]) -> None:
    starter_templates_install()
    starter = ResponseTemplate.objects.get(title="Product defect: replacement or refund")
    others = ResponseTemplateFactory(seller=parties["other_seller"])
    client = logged_in(parties["member"])
    page = client.get(reverse("seller-review-templates")).content.decode()
    assert f'name="copy" value="{starter.pk}"' in page

    response = client.post(reverse("seller-review-templates"), {"copy": starter.pk})

    assert response.status_code == 302
    copy = ResponseTemplate.objects.get(seller=parties["seller"])
    assert (copy.title, copy.body, copy.situation) == (starter.title, starter.body, starter.situation)
    assert "copied into your own" in client.get(response["Location"]).content.decode()
    assert client.post(reverse("seller-review-templates"), {"copy": others.pk}).status_code == 404
    assert client.post(reverse("seller-review-templates"), {"copy": "x"}).status_code == 404
    assert ResponseTemplate.objects.filter(seller=parties["seller"]).count() == 1


def test_records_are_named_in_words_not_raw_values(parties: dict[str, Any]) -> None:
    """What the console shows for a record (breadcrumbs, history, links): labels, never stored values."""
    from reviews.models import CaseKind
    from tests.reviews.factories import ReviewCaseFactory

    case = ReviewCaseFactory(kind=CaseKind.INCORRECT_CONTENT)
    review = write(parties)
    response = response_post(review=review, author=parties["member"], body="Sorry, refund sent.", now=timezone.now())

    assert str(case) == f"Case {case.pk}: incorrect content (open)"
    assert str(response) == f"Response {response.pk} to review {review.pk} (published)"
    assert "incorrect_content" not in str(case) and "_" not in str(response)
