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
