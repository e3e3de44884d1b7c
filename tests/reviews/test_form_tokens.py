"""One-time form tokens on the reviews pages: a doubled submit of a review, a response or a case
answers with the first result and writes nothing new; a preview keeps no token."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reviews.models import CaseKind, Review, ReviewCase, ReviewResponse
from reviews.services.reviews import review_create
from tests.utils import form_token, submit_twice

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _review(parties: dict[str, Any]) -> Review:
    return review_create(
        buyer=parties["buyer"], product=parties["product"], rating=2, title="Cracked", body="Lid.", now=timezone.now()
    )


def test_a_double_clicked_review_is_written_once(parties: dict[str, Any]) -> None:
    url = f"{reverse('reviews-new')}?order={parties['order'].pk}&product={parties['product'].pk}"
    data = {"product": parties["product"].pk, "rating": "1", "title": "Broken", "body": "Cracked lid."}

    first, second = submit_twice(logged_in(parties["buyer"]), url, data)

    review = Review.objects.get()
    assert first["Location"] == second["Location"] == reverse("review-detail", args=[review.pk])


def test_a_double_clicked_response_is_posted_once_and_a_preview_keeps_no_token(parties: dict[str, Any]) -> None:
    review = _review(parties)
    client = logged_in(parties["member"])
    url = reverse("seller-review", args=[review.pk])
    token = form_token(client.get(url).content.decode())
    data = {"body": "Sorry, a replacement is on its way.", "form_token": token}

    preview = client.post(url, {**data, "preview": "1"})
    first = client.post(url, data)
    second = client.post(url, data)

    assert (preview.status_code, first.status_code, second.status_code) == (200, 302, 302)
    assert ReviewResponse.objects.filter(review=review).count() == 1


def test_a_double_clicked_case_is_opened_once(parties: dict[str, Any]) -> None:
    review = _review(parties)
    data = {"kind": CaseKind.WRONG_PRODUCT, "review": review.pk, "description": "About the kettle."}

    first, second = submit_twice(logged_in(parties["buyer"]), reverse("review-cases-new"), data)

    case = ReviewCase.objects.get()
    assert first["Location"] == second["Location"] == reverse("review-case", args=[case.pk])
