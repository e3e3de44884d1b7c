"""Quick replies: a seller's reply templates, the platform's starters, safe placeholder rendering
and the suggestion of the best-matching template for a buyer's message.

Rendering only ever substitutes the placeholders of the one vocabulary (``core.text.PLACEHOLDERS``:
``{customer_name}``, ``{product}``, ``{order_number}``, ``{seller_name}``; the old ``{buyer_name}``
still works); anything else in braces stays as written, so a template can never reach attributes
or format specs (``str.format`` is not used). The result is plain text, escaped wherever it is
shown like every other message.

The suggestion is TF-IDF with cosine similarity (``core.matching``) over each template's title,
keywords and body.
"""

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from core.exceptions import InvalidInput, NotFound
from core.matching import rank_by_similarity, terms
from core.text import PLACEHOLDERS, clean_text
from inquiries.models import Conversation, ReplyTemplate
from marketplace.models import Seller
from marketplace.selectors.scoping import user_is_seller_member

# The platform's starters: every seller sees them in the picker next to their own.
STARTER_TEMPLATES: tuple[dict[str, str], ...] = (
    {
        "title": "Availability",
        "keywords": "stock available availability in stock sold out size colour color restock when back",
        "body": (
            "Hi {customer_name}, thanks for your interest in {product}. It is in stock and ships from our "
            "warehouse within one business day. If you need a particular size or colour, tell us and we "
            "will check it for you right away.\n\n{seller_name}"
        ),
    },
    {
        "title": "Shipping and delivery",
        "keywords": "shipping delivery deliver arrive arrival when tracking track courier dispatch shipped late",
        "body": (
            "Hi {customer_name}, thanks for asking about order {order_number}. Orders leave us within one "
            "business day and usually arrive in 3 to 5 business days; the tracking number is in your order "
            "page as soon as the parcel is handed to the carrier. If it has not arrived by the expected "
            "date, reply here and we will chase the carrier for you.\n\n{seller_name}"
        ),
    },
    {
        "title": "Returns and refunds",
        "keywords": "return refund exchange broken damaged wrong faulty money back send back cancel",
        "body": (
            "Hi {customer_name}, we are sorry {product} is not right for you. You can return it within 30 "
            "days of delivery for a full refund or an exchange: reply with your order number "
            "({order_number}) and the reason, and we will send you a prepaid return label. The refund "
            "reaches your original payment method within 5 business days of the return arriving.\n\n"
            "{seller_name}"
        ),
    },
    {
        "title": "Invoice or receipt",
        "keywords": "invoice receipt vat tax bill billing company address copy",
        "body": (
            "Hi {customer_name}, the invoice and the receipt for order {order_number} are attached to the "
            "order in your account. If you need the invoice reissued with a company name, VAT number or "
            "another address, reply with the details and we will send you the corrected version.\n\n"
            "{seller_name}"
        ),
    },
)


def _template_document(template: ReplyTemplate) -> list[str]:
    # Title and keywords are what the seller chose to describe the reply: they weigh double.
    described = f"{template.title} {template.keywords}"
    return terms(described) * 2 + terms(PLACEHOLDERS.strip(template.body))


def best_matching_template(templates: list[ReplyTemplate], text: str) -> tuple[ReplyTemplate | None, float]:
    """The template whose TF-IDF vector is closest (cosine) to ``text``, with its score in [0, 1];
    ``(None, 0.0)`` when nothing reaches ``INQUIRIES_SUGGESTION_MIN_SCORE``. Ties go to the
    seller's own template, then the earlier one in the list."""
    if not templates:
        return None, 0.0
    index, score = rank_by_similarity([_template_document(template) for template in templates], text)[0]
    if score < settings.INQUIRIES_SUGGESTION_MIN_SCORE:
        return None, 0.0
    return templates[index], score


def reply_template_suggest(*, seller_id: int, text: str) -> tuple[ReplyTemplate | None, float]:
    """The best quick reply for a buyer's message among the seller's own and the starters."""
    from inquiries.selectors.pages import reply_templates_for_seller

    return best_matching_template(list(reply_templates_for_seller(seller_id=seller_id)), text)


def placeholder_values(conversation: Conversation) -> dict[str, str]:
    buyer = conversation.buyer
    order = conversation.order
    product = conversation.product
    if product is None and order is not None:
        first_item = order.items.select_related("product").first()
        product = first_item.product if first_item is not None else None
    return {
        "customer_name": buyer.first_name or buyer.get_full_name() or buyer.username,
        "product": product.name if product is not None else "your item",
        "order_number": order.number if order is not None else "your order",
        "seller_name": conversation.seller.name,
    }


def reply_template_render(*, template: ReplyTemplate, conversation: Conversation) -> str:
    return PLACEHOLDERS.render(template.body, placeholder_values(conversation))


def _clean_fields(title: Any, body: Any, keywords: Any) -> dict[str, str]:
    cleaned = {
        "title": clean_text(title, field="title", max_length=120, single_line=True),
        "body": clean_text(body, field="body", max_length=settings.INQUIRIES_MESSAGE_MAX_LENGTH),
        "keywords": clean_text(keywords, field="keywords", max_length=300, required=False, single_line=True),
    }
    PLACEHOLDERS.check(cleaned["body"])
    return cleaned


def _require_member(actor: User, seller: Seller) -> None:
    if not user_is_seller_member(actor, seller.pk):
        raise NotFound("No such seller.", field="seller")


def _save(template: ReplyTemplate) -> ReplyTemplate:
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as error:
        raise InvalidInput("You already have a quick reply with this title.", code="unique", field="title") from error
    return template


@transaction.atomic
def reply_template_create(*, seller: Seller, actor: User, title: Any, body: Any, keywords: Any = "") -> ReplyTemplate:
    _require_member(actor, seller)
    return _save(ReplyTemplate(seller=seller, created_by=actor, **_clean_fields(title, body, keywords)))


@transaction.atomic
def reply_template_update(
    *, template: ReplyTemplate, actor: User, title: Any, body: Any, keywords: Any = ""
) -> ReplyTemplate:
    if template.seller is None:
        raise NotFound("Starter templates cannot be changed.", code="starter")
    _require_member(actor, template.seller)
    for name, value in _clean_fields(title, body, keywords).items():
        setattr(template, name, value)
    return _save(template)


@transaction.atomic
def reply_template_delete(*, template: ReplyTemplate, actor: User) -> None:
    if template.seller is None:
        raise NotFound("Starter templates cannot be deleted.", code="starter")
    _require_member(actor, template.seller)
    template.delete()  # messages keep their text; their ``template`` link is set null


def starter_templates_install(*, using: str = "default") -> int:
    """Create the missing platform starters (by title); returns how many were created."""
    starters = ReplyTemplate.objects.using(using).filter(seller__isnull=True)
    existing = set(starters.values_list("title", flat=True))
    missing = [ReplyTemplate(seller=None, **data) for data in STARTER_TEMPLATES if data["title"] not in existing]
    ReplyTemplate.objects.using(using).bulk_create(missing)
    return len(missing)
