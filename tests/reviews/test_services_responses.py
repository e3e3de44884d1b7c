"""Responses: the standards check (each breach type caught, a good response passes), pending
moderation, approve / request an edit / hide, strikes, the response clock, templates."""

from datetime import timedelta
from typing import Any

import pytest

from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.text import PLACEHOLDERS
from notifications.models import Notification
from reviews.models import ResponseStatus, ResponseTemplate, Review, ReviewResponse, SellerStrike, TemplateSituation
from reviews.notices import Kind
from reviews.services.responses import response_approve, response_hide, response_post, response_request_edit
from reviews.services.reviews import review_create, review_hide
from reviews.services.standards import standards_check
from reviews.services.templates import (
    STARTER_TEMPLATES,
    response_template_archive,
    response_template_create,
    response_template_render,
    response_template_update,
)
from tests.reviews.factories import T0, ResponseTemplateFactory

HOUR = timedelta(hours=1)
GOOD = (
    "Thank you for your feedback, and we are sorry the parcel was late. We have refunded your shipping "
    "costs for order SP-2026-000123 and will gladly replace the item: reply through your order page."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD, []),
        ("Thanks! We're glad you liked it. See our other products at https://127.0.0.1:8000/p/1", []),
        ("Only an idiot would complain about this.", ["insult"]),
        ("Stop lying about our product.", ["insult"]),
        ("It was your own fault, you should have read the description.", ["blaming"]),
        ("You obviously didn't follow the instructions.", ["blaming"]),
        ("WE SHIPPED IT ON TIME AND IT IS NOT OUR PROBLEM", ["shouting"]),
        ("We are sorry about that!!!", ["shouting"]),
        ("Write to sales@northwind.example.com and we sort it out.", ["contact_details"]),
        ("Call us on +27 82 555 0199 any time.", ["contact_details"]),
        ("Call 082-555-0199 today.", ["contact_details"]),
        ("Buy it cheaper at https://northwind-direct.example.org/deal", ["external_link"]),
        ("Visit www.northwind.shop for discounts.", ["external_link"]),
        ("Order from northwind.com instead.", ["external_link"]),
        ("YOU IDIOT, CALL 0825550199!!!", ["insult", "shouting", "contact_details"]),
    ],
)
def test_standards_check(text: str, expected: list[str]) -> None:
    assert standards_check(text) == expected


def test_order_numbers_dates_and_prices_are_not_phone_numbers() -> None:
    assert standards_check("Order SP-2026-000123 of 2026-11-23 for 1499.99 USD, delivered in 3 to 5 days.") == []


@pytest.fixture
def review(parties: dict[str, Any]) -> Review:
    return review_create(
        buyer=parties["buyer"], product=parties["product"], rating=2, title="Late", body="Arrived late.", now=T0
    )


def test_a_clean_seller_response_is_published_and_stops_the_clock(parties: dict[str, Any], review: Review) -> None:
    response = response_post(review=review, author=parties["member"], body=GOOD, now=T0 + 3 * HOUR)
    assert (response.status, response.flagged, response.flag_reasons, response.author_kind) == (
        "published",
        False,
        [],
        "seller",
    )
    review.refresh_from_db()
    assert (review.first_response_at, review.first_response_seconds) == (T0 + 3 * HOUR, 3 * 3600)
    assert Notification.objects.filter(recipient=parties["buyer"], kind=Kind.REVIEW_RESPONSE).count() == 1


def test_a_flagged_response_waits_for_a_moderator_and_is_not_shown(parties: dict[str, Any], review: Review) -> None:
    response = response_post(
        review=review, author=parties["member"], body="You should have read the description!!!", now=T0 + HOUR
    )
    assert (response.status, response.flagged, response.flag_reasons) == (
        "pending_moderation",
        True,
        ["blaming", "shouting"],
    )
    assert not Notification.objects.filter(recipient=parties["buyer"], kind=Kind.REVIEW_RESPONSE).exists()
    flagged = Notification.objects.filter(kind=Kind.REVIEW_RESPONSE_FLAGGED)
    assert sorted(flagged.values_list("recipient__username", flat=True)) == ["moderator-1", "northwind-owner"]
    assert list(review.events.values_list("kind", flat=True))[-2:] == ["responded", "response_flagged"]


def test_staff_responses_skip_the_check_and_others_may_not_respond(parties: dict[str, Any], review: Review) -> None:
    response = response_post(review=review, author=parties["support"], body="CALL US!!!", now=T0)
    assert (response.status, response.author_kind, response.seller_id) == ("published", "staff", None)
    for outsider in ("finance", "other_member", "buyer"):
        with pytest.raises(Forbidden):
            response_post(review=review, author=parties[outsider], body=GOOD, now=T0)


def test_one_live_response_per_author_kind(parties: dict[str, Any], review: Review) -> None:
    response_post(review=review, author=parties["member"], body=GOOD, now=T0)
    with pytest.raises(StateConflict):
        response_post(review=review, author=parties["member"], body=GOOD, now=T0)
    assert ReviewResponse.objects.count() == 1


def test_a_hidden_review_cannot_be_answered(parties: dict[str, Any], review: Review) -> None:
    review_hide(review=review, actor=parties["moderator"], reason="fake", now=T0)
    with pytest.raises(StateConflict):
        response_post(review=review, author=parties["member"], body=GOOD, now=T0)


def test_approve_publishes_without_a_strike(parties: dict[str, Any], review: Review) -> None:
    response = response_post(review=review, author=parties["member"], body="Sorry!!! Fixed.", now=T0)
    with pytest.raises(Forbidden):
        response_approve(response=response, actor=parties["support"], now=T0 + HOUR)
    response = response_approve(response=response, actor=parties["moderator"], now=T0 + HOUR)
    assert (response.status, response.moderated_by_id) == ("published", parties["moderator"].pk)
    assert not SellerStrike.objects.exists()
    assert Notification.objects.filter(recipient=parties["buyer"], kind=Kind.REVIEW_RESPONSE).count() == 1
    with pytest.raises(StateConflict):
        response_approve(response=response, actor=parties["moderator"], now=T0 + HOUR)


def test_request_edit_and_hide_uphold_violations_as_strikes_and_restart_the_clock(
    parties: dict[str, Any], review: Review
) -> None:
    response = response_post(review=review, author=parties["member"], body="Idiot. Mail me at a@b.example.com", now=T0)
    response = response_request_edit(
        response=response, actor=parties["moderator"], reason="Be polite; keep contact on SayPro", now=T0 + HOUR
    )
    assert response.status == ResponseStatus.EDIT_REQUESTED
    assert sorted(SellerStrike.objects.values_list("seller_id", "violation")) == [
        (parties["seller"].pk, "contact_details"),
        (parties["seller"].pk, "insult"),
    ]
    review.refresh_from_db()
    assert review.first_response_at is None  # unanswered again: the sweep may escalate it
    told = Notification.objects.get(recipient=parties["member"], kind=Kind.REVIEW_RESPONSE_MODERATED)
    assert "Be polite" in told.body and "Insulting language" in told.body
    second = response_post(review=review, author=parties["member"], body=GOOD, now=T0 + 2 * HOUR)
    assert second.status == "published"
    hidden = response_hide(
        response=second, actor=parties["moderator"], reason="Off topic", violations=["external_link"], now=T0 + 3 * HOUR
    )
    assert hidden.status == "hidden"
    assert SellerStrike.objects.count() == 3
    with pytest.raises(InvalidInput) as error:
        response_hide(response=second, actor=parties["moderator"], reason="x", violations=["rude"], now=T0)
    assert error.value.field == "violations"


def test_a_template_response_is_rendered_safely(parties: dict[str, Any], review: Review) -> None:
    template = ResponseTemplate.objects.get(seller__isnull=True, situation=TemplateSituation.LATE_DELIVERY)
    response = response_post(review=review, author=parties["member"], template=template, now=T0)
    assert response.body.startswith(
        "Hi Alice, thank you for letting us know, and we are truly sorry that order SP-2026-000123"
    )
    assert response.body.endswith("Northwind")
    assert (response.status, response.template_id) == ("published", template.pk)


def test_context_overrides_only_known_placeholders_and_never_formats(parties: dict[str, Any], review: Review) -> None:
    template = ResponseTemplateFactory(seller=parties["seller"], body="Hi {customer_name} {__class__} {product!r}")
    response = response_post(
        review=review, author=parties["member"], template=template, context={"customer_name": "{product}"}, now=T0
    )
    assert response.body == "Hi {product} {__class__} {product!r}"
    with pytest.raises(InvalidInput) as error:
        response_post(review=review, author=parties["support"], template=template, context={"secret": "x"}, now=T0)
    assert error.value.field == "context"
    other = ResponseTemplateFactory(seller=parties["other_seller"])
    with pytest.raises(InvalidInput) as error:
        response_post(review=review, author=parties["support"], template=other, now=T0)
    assert error.value.field == "template"


def test_a_review_template_written_with_the_quick_replies_buyer_name_renders_the_customer(
    parties: dict[str, Any], review: Review
) -> None:
    """One vocabulary with the quick replies: their old ``{buyer_name}`` is ``{customer_name}`` here too,
    in a template and in the caller's context."""
    template = response_template_create(
        actor=parties["member"], seller=parties["seller"], situation="positive", title="Hi", body="Hi {buyer_name}!"
    )
    assert response_post(review=review, author=parties["member"], template=template, now=T0).body == "Hi Alice!"
    rendered = response_template_render(template=template, review=review, context={"buyer_name": "Ms Smith"})
    assert rendered == "Hi Ms Smith!"


def test_starters_are_installed_once_for_every_situation(db: Any) -> None:
    starters = ResponseTemplate.objects.filter(seller__isnull=True)
    assert starters.count() == len(STARTER_TEMPLATES)
    assert set(starters.values_list("situation", flat=True)) == set(TemplateSituation.values)
    for starter in starters:
        rendered = PLACEHOLDERS.render(
            starter.body,
            {"customer_name": "Alice", "product": "Kettle", "seller_name": "Northwind", "order_number": "SP-1"},
        )
        assert standards_check(rendered) == [], starter.title


def test_sellers_manage_their_own_templates_and_moderators_the_platforms(parties: dict[str, Any]) -> None:
    own = response_template_create(
        actor=parties["member"], seller=parties["seller"], situation="defect", title="Defect", body="Sorry {product}"
    )
    with pytest.raises(Forbidden):
        response_template_create(actor=parties["member"], seller=None, situation="defect", title="P", body="x")
    with pytest.raises(Forbidden):
        response_template_update(template=own, actor=parties["other_member"], situation="defect", title="X", body="x")
    with pytest.raises(InvalidInput) as error:
        response_template_update(template=own, actor=parties["member"], situation="defect", title="D", body="{price}")
    assert error.value.field == "body"
    platform = response_template_create(
        actor=parties["moderator"], seller=None, situation="positive", title="Platform thanks", body="Thanks!"
    )
    archived = response_template_archive(template=platform, actor=parties["moderator"], now=T0)
    assert archived.archived_at == T0
    assert ResponseTemplate.objects.filter(pk=platform.pk).exists()
