"""Quick replies: safe placeholder rendering, validation, the starters, and the suggestion."""

import pytest
from django.utils import timezone

from core.exceptions import InvalidInput, NotFound
from inquiries.models import ReplyTemplate
from inquiries.services.messaging import conversation_open
from inquiries.services.templates import (
    STARTER_TEMPLATES,
    reply_template_create,
    reply_template_delete,
    reply_template_render,
    reply_template_suggest,
    reply_template_update,
    starter_templates_install,
)
from tests.accounts.factories import BuyerFactory
from tests.inquiries.factories import ReplyTemplateFactory
from tests.marketplace.factories import OrderFactory, ProductFactory, SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation():  # type: ignore[no-untyped-def]
    seller = SellerFactory(name="Northwind Outfitters")
    buyer = BuyerFactory(first_name="Bella", last_name="Buyer")
    product = ProductFactory(seller=seller, name="Rain jacket")
    order = OrderFactory(buyer=buyer, seller=seller)
    return conversation_open(
        buyer=buyer, seller=seller, subject="Jacket", body="Hi", product=product, order=order, now=timezone.now()
    )


def test_render_fills_the_four_placeholders(conversation) -> None:  # type: ignore[no-untyped-def]
    template = ReplyTemplateFactory(
        seller=conversation.seller, body="Hi {buyer_name}: {product}, {order_number}. {seller_name}"
    )

    text = reply_template_render(template=template, conversation=conversation)

    assert text == f"Hi Bella: Rain jacket, {conversation.order.number}. Northwind Outfitters"


def test_render_never_evaluates_anything_else_in_braces(conversation) -> None:  # type: ignore[no-untyped-def]
    body = "{buyer_name.__class__} {0} {seller_name!r} {} <b>{unknown}</b>"
    template = ReplyTemplate(seller=conversation.seller, title="x", body=body)

    assert reply_template_render(template=template, conversation=conversation) == body


def test_render_without_order_or_product_reads_naturally() -> None:
    seller = SellerFactory(name="Acme")
    conversation = conversation_open(
        buyer=BuyerFactory(first_name="Ann"), seller=seller, subject="Hello", body="Hi", now=timezone.now()
    )
    template = ReplyTemplate(seller=seller, title="x", body="{product} / {order_number}")

    assert reply_template_render(template=template, conversation=conversation) == "your item / your order"


def test_create_validates_title_body_and_placeholders() -> None:
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)
    created = reply_template_create(seller=seller, actor=member, title=" Sizes ", body="Hi {buyer_name}", keywords="")
    assert (created.title, created.seller_id, created.created_by_id) == ("Sizes", seller.pk, member.pk)

    with pytest.raises(InvalidInput) as blank:
        reply_template_create(seller=seller, actor=member, title="Other", body="   ")
    assert blank.value.field == "body"
    with pytest.raises(InvalidInput) as unknown:
        reply_template_create(seller=seller, actor=member, title="Other", body="Hi {name}")
    assert unknown.value.field == "body" and "{name}" in unknown.value.message
    with pytest.raises(InvalidInput) as duplicate:
        reply_template_create(seller=seller, actor=member, title="Sizes", body="Again")
    assert duplicate.value.field == "title"
    assert ReplyTemplate.objects.filter(seller=seller).count() == 1


def test_only_members_change_a_sellers_templates_and_starters_are_read_only() -> None:
    seller = SellerFactory()
    member = SellerMemberFactory(seller=seller)
    template = ReplyTemplateFactory(seller=seller, title="Mine", body="Body")
    outsider = SellerMemberFactory()

    with pytest.raises(NotFound):
        reply_template_update(template=template, actor=outsider, title="Theirs", body="Body")
    with pytest.raises(NotFound):
        reply_template_delete(template=template, actor=outsider)
    starter = ReplyTemplate.objects.filter(seller__isnull=True).first()
    assert starter is not None
    with pytest.raises(NotFound):
        reply_template_delete(template=starter, actor=member)

    reply_template_update(template=template, actor=member, title="Renamed", body="New body", keywords="size")
    template.refresh_from_db()
    assert (template.title, template.body, template.keywords) == ("Renamed", "New body", "size")
    reply_template_delete(template=template, actor=member)
    assert not ReplyTemplate.objects.filter(pk=template.pk).exists()


def test_starters_exist_after_migrate_and_install_is_idempotent() -> None:
    titles = set(ReplyTemplate.objects.filter(seller__isnull=True).values_list("title", flat=True))

    assert titles == {starter["title"] for starter in STARTER_TEMPLATES}
    assert starter_templates_install() == 0


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("When will my parcel arrive? It has not been delivered yet", "Shipping and delivery"),
        ("Is the blue one in stock in size M?", "Availability"),
        ("The zip is broken, I want to return it and get a refund", "Returns and refunds"),
        ("Could you send me an invoice with our company VAT number?", "Invoice or receipt"),
    ],
)
def test_suggestion_picks_the_starter_that_matches_the_question(message: str, expected: str) -> None:
    seller = SellerFactory()

    suggested, score = reply_template_suggest(seller_id=seller.pk, text=message)

    assert suggested is not None and suggested.title == expected
    assert 0 < score <= 1


def test_suggestion_prefers_the_sellers_own_specific_template() -> None:
    seller = SellerFactory()
    own = ReplyTemplateFactory(
        seller=seller, title="Gift wrapping", keywords="gift wrap wrapping present card", body="We wrap for free."
    )

    suggested, _ = reply_template_suggest(seller_id=seller.pk, text="Can you gift wrap it and add a card?")

    assert suggested == own


def test_no_suggestion_for_a_message_with_nothing_to_match() -> None:
    seller = SellerFactory()

    assert reply_template_suggest(seller_id=seller.pk, text="ok, thank you!") == (None, 0.0)
    assert reply_template_suggest(seller_id=seller.pk, text="   ") == (None, 0.0)


def test_quick_replies_and_their_starters_speak_of_the_customer(conversation) -> None:  # type: ignore[no-untyped-def]
    """One vocabulary with the review templates: ``{customer_name}``; ``{buyer_name}``, what quick
    replies said before, keeps working in templates already saved."""
    assert all("{buyer_name}" not in starter["body"] for starter in STARTER_TEMPLATES)
    assert any("{customer_name}" in starter["body"] for starter in STARTER_TEMPLATES)
    new = reply_template_create(
        seller=conversation.seller,
        actor=SellerMemberFactory(seller=conversation.seller),
        title="Both names",
        body="Hi {customer_name} / {buyer_name}",
    )
    assert reply_template_render(template=new, conversation=conversation) == "Hi Bella / Bella"
