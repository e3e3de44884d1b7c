"""Text cleaning and the one placeholder vocabulary (``core.text``)."""

import pytest

from core.exceptions import InvalidInput
from core.text import PLACEHOLDERS, Placeholders, clean_text


def test_clean_text_strips_and_keeps_what_fits() -> None:
    assert clean_text("  Hello  ", field="body", max_length=5) == "Hello"
    assert clean_text(None, field="note", max_length=5, required=False) == ""
    assert clean_text("x" * 10_000, field="reason", max_length=None) == "x" * 10_000


@pytest.mark.parametrize(
    ("value", "options", "code", "message"),
    [
        (42, {}, "invalid", "Must be text."),
        ("   ", {}, "blank", "This field may not be blank."),
        (None, {"blank_message": "Write a message."}, "blank", "Write a message."),
        ("a\x00b", {}, "null_characters_not_allowed", "Null characters are not allowed."),
        ("abcdefg", {}, "max_length", "At most 5 characters (this has 7)."),
    ],
)
def test_clean_text_refuses_on_the_field_with_a_code(value: object, options: dict, code: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_text(value, field="body", max_length=5, **options)
    assert (refused.value.field, refused.value.code, refused.value.message) == ("body", code, message)


def test_the_vocabulary_is_customer_name_product_order_number_seller_name() -> None:
    assert PLACEHOLDERS.listed == "{customer_name}, {product}, {order_number}, {seller_name}"


def test_the_old_buyer_name_renders_as_customer_name() -> None:
    values = {"customer_name": "Bella", "product": "Rain jacket", "order_number": "SP-1", "seller_name": "Acme"}
    body = "Hi {buyer_name} ({customer_name}): {product}, {order_number}. {seller_name}"
    assert PLACEHOLDERS.render(body, values) == "Hi Bella (Bella): Rain jacket, SP-1. Acme"
    PLACEHOLDERS.check(body)  # the alias is allowed where templates are saved


def test_unknown_placeholders_stay_as_written_and_are_refused_with_the_allowed_list() -> None:
    body = "{buyer_name.__class__} {0} {seller_name!r} {} {password} {customer_name"
    assert PLACEHOLDERS.render(body, {"seller_name": "Acme"}) == body
    with pytest.raises(InvalidInput) as refused:
        PLACEHOLDERS.check("Hi {password} {name} {buyer_name}")
    assert refused.value.code == "unknown_placeholder"
    assert refused.value.message == (
        "Unknown placeholder {name}, {password}; use {customer_name}, {product}, {order_number}, {seller_name}."
    )


def test_values_given_by_an_alias_count_as_the_name_and_unknown_names_are_refused() -> None:
    assert PLACEHOLDERS.values_by_name([("buyer_name", "Ms Smith")], field="context") == {"customer_name": "Ms Smith"}
    with pytest.raises(InvalidInput) as refused:
        PLACEHOLDERS.values_by_name([("password", "x")], field="context")
    assert refused.value.field == "context"


def test_a_vocabulary_without_aliases_knows_only_its_names() -> None:
    vocabulary = Placeholders(names=("ticket",))
    assert vocabulary.render("{ticket} {buyer_name}", {"ticket": "T-1"}) == "T-1 {buyer_name}"


def test_a_preview_is_cut_after_a_whole_word_with_an_ellipsis() -> None:
    from core.text import preview

    text = "The lid was cracked when it arrived and the handle wobbles"

    assert preview(text, 100) == text
    assert preview(text, 30) == "The lid was cracked when it…"
    assert len(preview(text, 30)) <= 30
    assert preview("The lid was cracked, badly", 21) == "The lid was cracked…"  # no comma before the ellipsis
    assert preview("Supercalifragilistic word", 10) == "Supercali…"  # one word fills the room: cut inside it
    assert preview("exactly ten chars and more", 11) == "exactly…"  # text[10] is a space: "ten" is whole


@pytest.mark.django_db
def test_a_buyers_question_is_quoted_in_the_sellers_notification_up_to_a_word() -> None:
    from django.utils import timezone

    from inquiries.services.messaging import conversation_open
    from notifications.models import Notification
    from tests.accounts.factories import BuyerFactory
    from tests.marketplace.factories import SellerFactory, SellerMemberFactory

    store = SellerFactory()
    member = SellerMemberFactory(seller=store)
    body = "word " * 70 + "ending"  # 356 characters
    conversation_open(buyer=BuyerFactory(), seller=store, subject="Long", body=body, now=timezone.now())

    quoted = Notification.objects.get(recipient=member).body.split("\n\n")[0]
    assert quoted.endswith("word…") and len(quoted) <= 300
