"""The reviews pages: the seller's reviews (/seller/reviews/) and the buyer's (/reviews/).

Same rules as the inquiry pages: read through the selectors (scoped to the signed-in user: anything
else is a 404), write through one service call per POST, and show a service's refusal next to the
field it is about, with status 400 (409 for a state conflict). Review and response texts are plain
text: the templates escape them.
"""

from dataclasses import dataclass
from datetime import UTC
from typing import Any, cast

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.durations import duration_words
from core.exceptions import DomainError
from core.forms import attach_domain_error, error_status
from core.idempotency import one_time_form
from core.ids import id_param
from core.pages import OwnTemplates, countdown, requested
from core.periods import month_period, quarter_of
from marketplace.models import Seller
from marketplace.selectors.scoping import seller_get_chosen, seller_list_for_member
from reviews.forms import CaseForm, FollowUpForm, ResponseForm, ResponseTemplateForm, ReviewForm
from reviews.models import (
    LIVE_RESPONSE_STATUSES,
    AuthorKind,
    CaseKind,
    FollowUpStatus,
    ResponseStatus,
    ResponseTemplate,
    Review,
    ReviewStatus,
)
from reviews.selectors import pages as reads
from reviews.selectors.metrics import review_metrics
from reviews.selectors.needs_response import seller_needs_response_counts, seller_reviews_needing_response
from reviews.selectors.reviews import seller_rating
from reviews.services.cases import review_case_open
from reviews.services.responses import response_post
from reviews.services.reviews import follow_up_answer, review_create
from reviews.services.standards import describe_violations, standards_check
from reviews.services.templates import (
    response_template_archive,
    response_template_create,
    response_template_render,
    response_template_update,
    response_templates_rank,
)

QUEUE_LIMIT = 50
RECENT_ORDERS = 8
BUYER_PAGE_SIZE = 10


# --- the seller side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StarBar:
    stars: int
    count: int
    pct: float


def _distribution(seller: Seller) -> tuple[Any, list[StarBar]]:
    rating = seller_rating(seller_id=seller.pk)
    total = rating.count or 0
    bars = [
        StarBar(stars, count := getattr(rating, f"stars_{stars}"), round(count * 100 / total, 1) if total else 0.0)
        for stars in range(5, 0, -1)
    ]
    return rating, bars


@require_GET
@login_required
def seller_reviews(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    seller, sellers = seller_get_chosen(user=user, wanted=requested(request, "seller"))
    now = timezone.now()
    today = now.astimezone(UTC)
    queue = list(seller_reviews_needing_response(seller_id=seller.pk, now=now, limit=QUEUE_LIMIT))
    for review in queue:
        review.countdown = countdown(review.response_due_at, now)  # type: ignore[attr-defined]
    waiting = seller_needs_response_counts(seller_id=seller.pk)
    periods = []
    for title, period in (("This month", month_period(today.year, today.month)), ("This quarter", quarter_of(now))):
        metrics = review_metrics(seller_id=seller.pk, start=period.start, end=period.end, now=now)
        periods.append({"title": title, "label": period.label, "metrics": metrics})
    rating, bars = _distribution(seller)
    attention = list(reads.seller_responses_needing_attention(seller_id=seller.pk)[:QUEUE_LIMIT])
    for response in attention:
        response.reasons_text = describe_violations(response.flag_reasons)  # type: ignore[attr-defined]
    context = {
        "seller": seller,
        "sellers": sellers,
        "queue": queue,
        "waiting_count": waiting["waiting"],
        "urgent_count": waiting["urgent"],
        "attention": attention,
        "periods": periods,
        "rating": rating,
        "bars": bars,
        "negative_target": duration_words(settings.REVIEWS_NEGATIVE_RESPONSE_TARGET.total_seconds()),
        "target": duration_words(settings.REVIEWS_RESPONSE_TARGET.total_seconds()),
    }
    return render(request, "reviews/seller_reviews.html", context)


def _seller_review(user: User, pk: int) -> Review:
    review = reads.review_get_for_seller_member(user=user, pk=pk)
    if review is None:
        raise Http404("No such review")
    return review


def _rendered_templates(review: Review) -> list[dict[str, Any]]:
    """The templates the store may use, best first for this review (rating and words, like the quick
    replies' suggestion), each rendered for it."""
    templates = list(reads.response_templates_for_seller(seller_id=review.seller_id))
    return [
        {
            "id": template.pk,
            "title": template.title,
            "situation": template.get_situation_display(),
            "is_own": template.seller_id is not None,
            "score": round(score * 100),
            "text": response_template_render(template=template, review=review),
        }
        for template, score in response_templates_rank(review=review, templates=templates)
    ]


def _seller_review_page(
    request: HttpRequest, review: Review, *, form: ResponseForm | None = None, status: int = 200, preview: bool = False
) -> HttpResponse:
    templates = _rendered_templates(review)
    suggestion = (
        templates[0] if templates and templates[0]["score"] >= settings.REVIEWS_SUGGESTION_MIN_SCORE * 100 else None
    )
    responses = getattr(review, "all_responses", [])
    for response in responses:
        response.reasons_text = describe_violations(response.flag_reasons)
    live_own = next(
        (r for r in responses if r.author_kind == AuthorKind.SELLER and r.status in LIVE_RESPONSE_STATUSES), None
    )
    if form is None:
        # ``?template=<id>`` fills the response box: the picker without JavaScript.
        wanted = request.GET.get("template", "")
        chosen = next((t for t in templates if str(t["id"]) == wanted), None)
        form = ResponseForm(initial={"body": chosen["text"], "template": chosen["id"]} if chosen else None)
        preview = preview or chosen is not None
    body = form.data.get("body", "") if form.is_bound else form.initial.get("body", "")
    check = describe_violations(standards_check(body)) if body and body.strip() else ""
    can_respond = review.status == ReviewStatus.PUBLISHED and live_own is None
    context = {
        "review": review,
        "responses": responses,
        "live_own": live_own,
        "templates": templates,
        "suggestion": suggestion,
        "form": form,
        "can_respond": can_respond,
        "preview_text": body if preview else "",
        "preview_check": check if preview else "",
        "countdown": countdown(review.response_due_at, timezone.now()) if review.first_response_at is None else None,
    }
    return render(request, "reviews/seller_review.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def seller_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    review = _seller_review(user, pk)
    if request.method == "GET":
        return _seller_review_page(request, review)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        return _seller_review_page(request, review, form=form, status=400)
    if "preview" in request.POST:
        return _seller_review_page(request, review, form=form, preview=True)
    body = form.cleaned_data["body"] or ""
    template = None
    if form.cleaned_data["template"]:
        template = ResponseTemplate.objects.filter(pk=form.cleaned_data["template"]).first()
    # Sent as the template only when the text is the template's, unchanged; edited, it is the seller's text.
    use_template = template is not None and body.strip() == response_template_render(template=template, review=review)
    try:
        response = response_post(
            review=review,
            author=user,
            body=None if use_template else body,
            template=template if use_template else None,
            now=timezone.now(),
        )
    except DomainError as error:
        attach_domain_error(form, error)
        return _seller_review_page(request, review, form=form, status=error_status(error))
    if response.status == ResponseStatus.PENDING_MODERATION:
        flash.warning(
            request,
            f"Your response is held for moderation because: {describe_violations(response.flag_reasons)}. "
            "The customer will see it once a moderator approves it.",
        )
    else:
        flash.success(request, "Response published. The customer has been notified.")
    return redirect("seller-review", pk=review.pk)


RESPONSE_TEMPLATES = OwnTemplates(
    form=ResponseTemplateForm,
    url_name="seller-review-templates",
    page_template="reviews/seller_templates.html",
    edit_template="reviews/seller_template_edit.html",
    noun="Template",
    shared_key="platform_templates",
    for_seller=lambda seller_id: reads.response_templates_for_seller(seller_id=seller_id),
    own=lambda user, pk: reads.own_response_template(user=user, pk=pk),
    create=response_template_create,
    update=response_template_update,
    initial=lambda template: {"situation": template.situation, "title": template.title, "body": template.body},
    choose_seller=lambda user, wanted: seller_get_chosen(user=user, wanted=wanted),
    sellers_of=seller_list_for_member,
)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def seller_review_templates(request: HttpRequest) -> HttpResponse:
    return RESPONSE_TEMPLATES.library_view(request)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def seller_review_template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return RESPONSE_TEMPLATES.edit_view(request, pk)


@require_POST
@login_required
@one_time_form
def seller_review_template_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return RESPONSE_TEMPLATES.retire_view(
        request,
        pk,
        retire=lambda template, user: response_template_archive(template=template, actor=user, now=timezone.now()),
        done="Template “{title}” archived: it is no longer offered.",
    )


# --- the buyer side ----------------------------------------------------------------------------


def _decorate(review: Review) -> Review:
    """What the buyer's page needs to know about a review's follow-up."""
    follow_up = reads.follow_up_for(review)
    responses = getattr(review, "published_responses", [])
    review.follow_up_open = bool(  # type: ignore[attr-defined]
        follow_up is not None
        and responses
        and follow_up.status == FollowUpStatus.OPEN
        and review.status == ReviewStatus.PUBLISHED
    )
    review.follow_up_state = follow_up  # type: ignore[attr-defined]
    return review


@require_GET
@login_required
def buyer_reviews(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    wanted_rating = request.GET.get("rating", "")
    rating = int(wanted_rating) if wanted_rating in {"1", "2", "3", "4", "5"} else None
    answered = {"yes": True, "no": False}.get(request.GET.get("answered", ""))
    search = (request.GET.get("q") or "").strip()[:100]
    reviews = reads.buyer_reviews_filtered(buyer=user, rating=rating, answered=answered, search=search)
    page = Paginator(reviews, BUYER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "reviews": [_decorate(review) for review in page.object_list],
        "filters": {
            "rating": rating,
            "answered": request.GET.get("answered", "") if answered is not None else "",
            "q": search,
        },
        "is_filtered": rating is not None or answered is not None or bool(search),
        "ratings": [5, 4, 3, 2, 1],
        "cases": list(reads.buyer_cases(buyer=user)[:QUEUE_LIMIT]),
        "orders": reads.buyer_recent_orders(buyer=user, limit=RECENT_ORDERS),
        "follow_up_form": FollowUpForm(),
    }
    return render(request, "reviews/buyer_reviews.html", context)


def _buyer_review(user: User, pk: int) -> Review:
    review = reads.buyer_review_get(buyer=user, pk=pk)
    if review is None:
        raise Http404("No such review")
    return _decorate(review)


def _buyer_review_page(
    request: HttpRequest, review: Review, *, form: FollowUpForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "review": review,
        "follow_up_form": form or FollowUpForm(),
        "cases": [case for case in reads.buyer_cases(buyer=cast(User, request.user)) if case.review_id == review.pk],
    }
    return render(request, "reviews/buyer_review.html", context, status=status)


@require_GET
@login_required
def buyer_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _buyer_review_page(request, _buyer_review(cast(User, request.user), pk))


@require_POST
@login_required
@one_time_form
def buyer_review_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    review = _buyer_review(user, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _buyer_review_page(request, review, form=form, status=400)
    try:
        follow_up_answer(
            review=review,
            actor=user,
            resolved=form.cleaned_data["resolved"],
            comment=form.cleaned_data["comment"],
            now=timezone.now(),
        )
    except DomainError as error:
        attach_domain_error(form, error)
        return _buyer_review_page(request, review, form=form, status=error_status(error))
    if form.cleaned_data["resolved"]:
        flash.success(request, "Thanks for letting us know your issue is resolved.")
    else:
        flash.info(request, "Sorry it is not resolved yet: SayPro senior support now has your case.")
    return redirect("review-detail", pk=review.pk)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def buyer_review_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    order_id = id_param(request.GET.get("order"), field="order")
    if order_id is None:
        flash.info(request, "Choose a product from one of your orders below and use “Write a review”.")
        return redirect("reviews")
    order = reads.buyer_order(buyer=user, pk=order_id)
    if order is None:
        raise Http404("No such order")
    items = list(order.items.all())
    products = {item.product_id: item.product for item in items}
    choices = [(item.product_id, item.product.name) for item in items]
    wanted = id_param(request.GET.get("product"), field="product")
    if wanted is not None and wanted not in products:
        raise Http404("No such product in this order")
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST, products=choices)
        if form.is_valid():
            try:
                review = review_create(
                    buyer=user,
                    product=products[form.cleaned_data["product"]],
                    rating=form.cleaned_data["rating"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    order=order,
                    now=timezone.now(),
                )
            except DomainError as error:
                attach_domain_error(form, error)
                status = error_status(error)
            else:
                flash.success(request, "Thank you! Your review is published.")
                return redirect("review-detail", pk=review.pk)
        else:
            status = 400
    else:
        form = ReviewForm(initial={"product": wanted}, products=choices)
    return render(request, "reviews/buyer_new.html", {"form": form, "order": order}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def buyer_case_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    reviews = {review.pk: review for review in reads.buyer_reviews(buyer=user)}
    orders = {order.pk: order for order in reads.buyer_recent_orders(buyer=user, limit=50)}
    products = {item.product_id: item.product for order in orders.values() for item in order.items.all()}
    form_kwargs: dict[str, Any] = {
        "reviews": [(pk, f"{r.rating}★ {r.title} — on {r.product.name}") for pk, r in reviews.items()],
        "orders": [(pk, f"{o.number} — {o.seller.name}, {o.placed_at:%d %b %Y}") for pk, o in orders.items()],
        "products": [(pk, product.name) for pk, product in products.items()],
    }
    status = 200
    if request.method == "POST":
        form = CaseForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = review_case_open(
                    buyer=user,
                    kind=data["kind"],
                    description=data["description"],
                    review=reviews.get(data["review"]) if data["review"] else None,
                    order=orders.get(data["order"]) if data["order"] else None,
                    product=products.get(data["product"]) if data["product"] else None,
                    now=timezone.now(),
                )
            except DomainError as error:
                attach_domain_error(form, error)
                status = error_status(error)
            else:
                flash.success(request, f"Thank you: case {case.pk} is open, and we will tell you at each step.")
                return redirect("review-case", pk=case.pk)
        else:
            status = 400
    else:
        initial: dict[str, Any] = {}
        for name in ("review", "order", "product"):
            initial[name] = id_param(request.GET.get(name), field=name)
        kind = request.GET.get("kind", "")
        if kind in CaseKind.values:
            initial["kind"] = kind
        form = CaseForm(initial=initial, **form_kwargs)
    return render(request, "reviews/buyer_case_new.html", {"form": form}, status=status)


@require_GET
@login_required
def buyer_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = reads.buyer_case_get(buyer=cast(User, request.user), pk=pk)
    if case is None:
        raise Http404("No such case")
    return render(request, "reviews/buyer_case.html", {"case": case})
