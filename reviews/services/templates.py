"""Review response templates: the platform's starters, sellers' own, safe placeholder rendering.

Rendering substitutes only the placeholders of the one vocabulary (``core.text.PLACEHOLDERS``:
``{customer_name}``, ``{product}``, ``{order_number}``, ``{seller_name}``); anything else in braces
stays as written, and ``str.format`` is never used.

The starters follow SayPro's guidance for answering reviews: to praise, gratitude + reinforce
what was praised + an invitation to come back; to a complaint, acknowledge + apologise + a
concrete solution (refund, replacement, support) without blaming the customer; for a missing
review, say it is being investigated and when they will hear back.

Suggestions (``response_templates_rank``) work as the quick replies' do: the templates a seller sees,
best first, by how well their situation fits the review's rating and how close their words are to
what the customer wrote (``core.matching``).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from core.exceptions import Forbidden, InvalidInput, StateConflict
from core.matching import rank_by_similarity, terms
from core.text import PLACEHOLDERS, clean_text
from marketplace.models import Seller
from marketplace.selectors.scoping import user_is_seller_member
from reviews.models import ResponseTemplate, Review, TemplateSituation
from reviews.services.access import user_may_manage_platform_templates
from reviews.services.common import clean_body

CONTEXT_VALUE_MAX_LENGTH = 200

STARTER_TEMPLATES: tuple[dict[str, str], ...] = (
    {
        "situation": TemplateSituation.POSITIVE,
        "title": "Thank you for your review",
        "body": (
            "Thank you so much for your review, {customer_name}! We are delighted that the {product} lived up "
            "to your expectations, and it means a lot that you took the time to tell us what you liked. "
            "We put real care into getting these details right. If you are looking for something to go "
            "with it, have a look at the rest of our store — we would love to welcome you back.\n\n"
            "{seller_name}"
        ),
    },
    {
        "situation": TemplateSituation.LATE_DELIVERY,
        "title": "Late delivery: apology and remedy",
        "body": (
            "Hi {customer_name}, thank you for letting us know, and we are truly sorry that order "
            "{order_number} arrived later than promised. That is not the experience we want you to have. "
            "We have raised the delay with our carrier, and we would like to make it right: reply to this "
            "message or contact us through your order page and we will refund your shipping costs, or "
            "arrange a refund if the delay means you no longer need the {product}.\n\n{seller_name}"
        ),
    },
    {
        "situation": TemplateSituation.DEFECT,
        "title": "Product defect: replacement or refund",
        "body": (
            "Hi {customer_name}, thank you for telling us about the problem with the {product}, and please "
            "accept our apologies — it should have reached you in perfect condition. We will send you a "
            "replacement free of charge, or a full refund if you prefer: just let us know through your "
            "order page for order {order_number}, and we will arrange a prepaid return label. We have also "
            "passed your description to our quality team so it does not happen again.\n\n{seller_name}"
        ),
    },
    {
        "situation": TemplateSituation.WRONG_ITEM,
        "title": "Wrong item: we will send the right one",
        "body": (
            "Hi {customer_name}, we are sorry — you received the wrong item in order {order_number}, and "
            "that is our mistake. We will ship the correct {product} to you right away at no cost, with a "
            "prepaid label for returning the wrong item. If you would rather have a full refund, tell us "
            "through your order page and we will process it at once.\n\n{seller_name}"
        ),
    },
    {
        "situation": TemplateSituation.SERVICE_COMPLAINT,
        "title": "Service complaint: we hear you",
        "body": (
            "Hi {customer_name}, thank you for your honest feedback, and we are sorry that our service did "
            "not meet your expectations. Your experience matters to us: a member of our team will review "
            "what happened with order {order_number} and contact you through the platform to put it right, "
            "whether that means a refund, a replacement or simply the support you should have had the "
            "first time.\n\n{seller_name}"
        ),
    },
    {
        "situation": TemplateSituation.MISSING_REVIEW,
        "title": "Missing review: we are looking into it",
        "body": (
            "Hi {customer_name}, thank you for letting us know that your review of {product} is missing. "
            "We have asked the SayPro reviews team to investigate; they check for submission errors and "
            "reviews attached to the wrong listing, and will update you on your case within two business "
            "days. We appreciate your patience and the time you took to share your experience.\n\n"
            "{seller_name}"
        ),
    },
)


# Words customers use about each situation: with the template's own title and text, what a review's
# words are matched against.
SITUATION_WORDS: dict[str, str] = {
    TemplateSituation.POSITIVE: "great love excellent perfect happy recommend quality fast thanks lovely works well",
    TemplateSituation.LATE_DELIVERY: "late delivery delayed arrived days weeks shipping slow wait waiting never came",
    TemplateSituation.DEFECT: "broken defect defective damaged cracked faulty stopped working poor quality leak",
    TemplateSituation.WRONG_ITEM: "wrong item different size colour color model sent received not what ordered",
    TemplateSituation.SERVICE_COMPLAINT: "rude service support no answer ignored reply unhelpful refund contact",
    TemplateSituation.MISSING_REVIEW: "missing review disappeared wrong product",
}
NEGATIVE_SITUATIONS = frozenset(
    {
        TemplateSituation.LATE_DELIVERY,
        TemplateSituation.DEFECT,
        TemplateSituation.WRONG_ITEM,
        TemplateSituation.SERVICE_COMPLAINT,
    }
)


def situation_fit(situation: str, rating: int) -> float:
    """How well a template's situation suits a review of ``rating`` stars: praise for a good review,
    the complaints for a negative one, either (half) for a middling one; the missing-review template
    answers cases, not reviews."""
    if situation == TemplateSituation.POSITIVE:
        return 1.0 if rating >= 4 else 0.5 if rating > settings.REVIEWS_NEGATIVE_MAX_RATING else 0.0
    if situation in NEGATIVE_SITUATIONS:
        return 1.0 if rating <= settings.REVIEWS_NEGATIVE_MAX_RATING else 0.5 if rating < 4 else 0.0
    return 0.0


def response_templates_rank(
    *, review: Review, templates: list[ResponseTemplate]
) -> list[tuple[ResponseTemplate, float]]:
    """``templates`` for ``review``, best first, each with its score in [0, 1]: half the situation's
    fit to the rating, half the words' similarity to the review's title and text. Equal scores keep
    the list's order (the store's own templates first)."""
    documents = [
        terms(f"{template.title} {SITUATION_WORDS.get(template.situation, '')}") * 2
        + terms(PLACEHOLDERS.strip(template.body))
        for template in templates
    ]
    similarity = dict(rank_by_similarity(documents, f"{review.title} {review.body}"))
    scored = [
        (template, (situation_fit(template.situation, review.rating) + similarity.get(index, 0.0)) / 2)
        for index, template in enumerate(templates)
    ]
    order = sorted(range(len(scored)), key=lambda index: (-round(scored[index][1], 9), index))
    return [scored[index] for index in order]


def placeholder_values(review: Review) -> dict[str, str]:
    buyer = review.buyer
    return {
        "customer_name": buyer.first_name or buyer.get_full_name() or buyer.username,
        "product": review.product.name,
        "seller_name": review.seller.name,
        "order_number": review.order.number if review.order_id and review.order else "your order",
    }


def clean_context(context: Any) -> dict[str, str]:
    """Caller-given placeholder values: only the known names, short plain strings."""
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise InvalidInput("Give the context as an object of placeholder values.", code="invalid", field="context")
    named = PLACEHOLDERS.values_by_name(context.items(), field="context")
    return {
        name: clean_text(value, field="context", max_length=CONTEXT_VALUE_MAX_LENGTH) for name, value in named.items()
    }


def response_template_render(*, template: ResponseTemplate, review: Review, context: Any = None) -> str:
    return PLACEHOLDERS.render(template.body, placeholder_values(review) | clean_context(context))


def _clean_fields(*, situation: Any, title: Any, body: Any) -> dict[str, str]:
    if situation not in TemplateSituation.values:
        raise InvalidInput("Unknown situation.", code="invalid_choice", field="situation")
    cleaned = {
        "situation": situation,
        "title": clean_text(title, field="title", max_length=120, single_line=True),
        "body": clean_body(body),
    }
    PLACEHOLDERS.check(cleaned["body"])
    return cleaned


def user_may_change_template(user: User, template: ResponseTemplate) -> bool:
    if template.seller_id is None:
        return user_may_manage_platform_templates(user)
    return user_is_seller_member(user, template.seller_id)


def _save(template: ResponseTemplate) -> ResponseTemplate:
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as error:
        raise InvalidInput("A template with this title already exists.", code="unique", field="title") from error
    return template


@transaction.atomic
def response_template_create(
    *, actor: User, seller: Seller | None, situation: Any, title: Any, body: Any
) -> ResponseTemplate:
    """A seller's own template (its members) or, ``seller`` None, a platform one (moderators)."""
    if seller is None and not user_may_manage_platform_templates(actor):
        raise Forbidden("Only moderators manage the platform's templates.")
    if seller is not None and not user_is_seller_member(actor, seller.pk):
        raise Forbidden("Only the store's members can add its templates.")
    fields = _clean_fields(situation=situation, title=title, body=body)
    return _save(ResponseTemplate(seller=seller, created_by=actor, **fields))


@transaction.atomic
def response_template_update(
    *, template: ResponseTemplate, actor: User, situation: Any, title: Any, body: Any
) -> ResponseTemplate:
    if not user_may_change_template(actor, template):
        raise Forbidden("You may not change this template.")
    if template.archived_at is not None:
        raise StateConflict("This template is archived.", code="archived")
    for name, value in _clean_fields(situation=situation, title=title, body=body).items():
        setattr(template, name, value)
    return _save(template)


@transaction.atomic
def response_template_archive(*, template: ResponseTemplate, actor: User, now: datetime) -> ResponseTemplate:
    """Archived, not deleted: responses keep the template they started from. Idempotent."""
    if not user_may_change_template(actor, template):
        raise Forbidden("You may not change this template.")
    ResponseTemplate.objects.filter(pk=template.pk, archived_at__isnull=True).update(archived_at=now, updated_at=now)
    template.refresh_from_db()
    return template


def starter_templates_install(*, using: str = "default") -> int:
    """Create the missing platform starters (by title); returns how many were created."""
    starters = ResponseTemplate.objects.using(using).filter(seller__isnull=True)
    existing = set(starters.values_list("title", flat=True))
    missing = [ResponseTemplate(seller=None, **data) for data in STARTER_TEMPLATES if data["title"] not in existing]
    ResponseTemplate.objects.using(using).bulk_create(missing)
    return len(missing)
