"""The inquiry pages: the buyer's messages (/messages/) and the seller dashboard (/seller/).

Same rule as the API: read through the selectors (scoped to the signed-in user: anything else is a
404), write through one service call per POST, and show a service's refusal next to the form
(a ``DomainError`` never becomes a 500). Pages answer 400 / 409 when they re-show a refused form.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
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
from core.periods import Period, month_period, quarter_of
from feedback.selectors.reports import seller_csat
from inquiries.charts import seller_csat_chart, within_target_chart
from inquiries.forms import AskSellerForm, ExcludeForm, ReplyForm, ReplyTemplateForm
from inquiries.models import Conversation, ConversationStatus, Message, MessageKind, ReplyTemplate, StandingLevel
from inquiries.selectors import pages as reads
from inquiries.selectors.kpis import MonthResponseMetrics, calendar_figures
from inquiries.services.messaging import (
    conversation_close,
    conversation_open,
    inquiry_exclude,
    message_post,
)
from inquiries.services.standing import ProjectedStanding, projection_quarters, standing_project
from inquiries.services.templates import (
    reply_template_create,
    reply_template_delete,
    reply_template_render,
    reply_template_suggest,
    reply_template_update,
)
from marketplace.models import Order, Product, Seller
from marketplace.selectors.scoping import (
    member_seller_ids,
    order_visible_queryset,
    seller_get_chosen,
    seller_list_for_member,
)

BUYER_PAGE_SIZE = 20
SELLER_PAGE_SIZE = 25
CHOOSER_PAGE_SIZE = 10
PRODUCT_MATCHES = 10
INBOX_LIMIT = 50
RECENT_ORDERS = 5
CHART_MONTHS = 6


# --- the seller side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFigures:
    """The seller dashboard's figures: this month and this quarter, the chart's months, the
    projected standing and the badge."""

    month: Period
    quarter: Period
    periods: list[dict[str, Any]]
    chart_months: list[MonthResponseMetrics]
    standing: ProjectedStanding
    has_badge: bool


def seller_dashboard_figures(*, seller: Seller, now: datetime) -> DashboardFigures:
    """Two statements: every month and quarter the dashboard shows or the projected standing needs
    (``calendar_figures``), and the seller's decided quarters (the badge, and the earlier quarters
    the standing looks back on)."""
    today = now.astimezone(UTC)
    month = month_period(today.year, today.month)
    quarter = quarter_of(now)
    figures = calendar_figures(seller_id=seller.pk, months=CHART_MONTHS, quarters=projection_quarters(), now=now)
    periods = []
    for title, period in (("This month", month), ("This quarter", quarter)):
        metrics = figures.metrics(start=period.start, end=period.end)
        pct = float(metrics.within_target_pct or 0)
        periods.append({"title": title, "label": period.label, "metrics": metrics, "bar_width": f"{pct:.1f}"})
    decisions = reads.seller_standing_decisions(seller_id=seller.pk)
    return DashboardFigures(
        month=month,
        quarter=quarter,
        periods=periods,
        chart_months=figures.series(),
        standing=standing_project(seller=seller, now=now, figures=figures, decided=decisions.within_target_pcts),
        has_badge=decisions.has_responsive_badge,
    )


@require_GET
@login_required
def seller_dashboard(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    seller, sellers = seller_get_chosen(user=user, wanted=requested(request, "seller"))
    now = timezone.now()
    inbox = list(reads.seller_inbox(seller_id=seller.pk)[:INBOX_LIMIT])
    overdue_count = 0
    for conversation in inbox:
        timer = countdown(conversation.response_due_at, now)
        conversation.countdown = timer  # type: ignore[attr-defined]
        overdue_count += bool(timer and timer.is_overdue)
    figures = seller_dashboard_figures(seller=seller, now=now)
    standing = figures.standing
    csat_month, csat_trend = seller_csat(seller.pk, now=now, months=CHART_MONTHS)  # the seller's own answers only
    context = {
        "seller": seller,
        "sellers": sellers,
        "month": figures.month,
        "quarter": figures.quarter,
        "periods": figures.periods,
        "chart": within_target_chart(figures.chart_months, title="Within-target percentage by month"),
        "standing": standing,
        "standing_label": dict(StandingLevel.choices).get(standing.level, standing.level),
        "has_badge": figures.has_badge,
        "inbox": inbox,
        "overdue_count": overdue_count,
        "recent": list(reads.seller_recent(seller_id=seller.pk)[:10]),
        "target_pct": f"{settings.INQUIRIES_TARGET_PCT:g}",
        "target_text": duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds()),
        "now": now,
        "csat": csat_month,
        "csat_target_pct": f"{settings.FEEDBACK_TARGET_PCT:g}",
        "csat_bar_width": f"{float(csat_month.csat_pct or 0):.1f}",
        "csat_chart": seller_csat_chart(csat_trend, title="Customer satisfaction by month"),
    }
    return render(request, "inquiries/seller_dashboard.html", context)


@require_GET
@login_required
def seller_messages(request: HttpRequest) -> HttpResponse:
    """Every conversation of the store, paged: those waiting for an answer (soonest due first),
    or those answered and closed (latest first). The header's "Messages" for a store's member."""
    user = cast(User, request.user)  # login_required: never anonymous here
    seller, sellers = seller_get_chosen(user=user, wanted=requested(request, "seller"))
    show = "answered" if request.GET.get("show") == "answered" else "waiting"
    conversations = (
        reads.seller_recent(seller_id=seller.pk) if show == "answered" else reads.seller_inbox(seller_id=seller.pk)
    )
    page = Paginator(conversations, SELLER_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for conversation in page.object_list:
        if show == "waiting":
            conversation.countdown = countdown(conversation.response_due_at, now)  # type: ignore[attr-defined]
    context = {
        "seller": seller,
        "sellers": sellers,
        "show": show,
        "page": page,
        "target_text": duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds()),
    }
    return render(request, "inquiries/seller_messages.html", context)


def _seller_conversation(user: User, pk: int) -> Conversation:
    conversation = reads.conversation_get_for_seller_member(user=user, pk=pk)
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


def _templates_for(conversation: Conversation) -> list[ReplyTemplate]:
    return list(reads.reply_templates_for_seller(seller_id=conversation.seller_id))


def _seller_conversation_page(
    request: HttpRequest,
    conversation: Conversation,
    *,
    reply_form: ReplyForm | None = None,
    exclude_form: ExcludeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    thread = list(reads.conversation_messages(conversation=conversation))
    templates = _templates_for(conversation)
    quick_replies = [
        {
            "id": template.pk,
            "title": template.title,
            "text": reply_template_render(template=template, conversation=conversation),
        }
        for template in templates
    ]
    latest_buyer = next((message for message in reversed(thread) if message.kind == MessageKind.BUYER), None)
    suggestion = None
    if latest_buyer is not None:
        suggested, score = reply_template_suggest(seller_id=conversation.seller_id, text=latest_buyer.body)
        if suggested is not None:
            text = next((reply["text"] for reply in quick_replies if reply["id"] == suggested.pk), None)
            if text is None:
                text = reply_template_render(template=suggested, conversation=conversation)
            suggestion = {"id": suggested.pk, "title": suggested.title, "text": text, "score": round(score * 100)}
    if reply_form is None:
        # ``?template=<id>`` pre-fills the reply box: the picker's fallback without JavaScript.
        initial: dict[str, Any] = {}
        wanted = request.GET.get("template", "")
        chosen = next((reply for reply in quick_replies if str(reply["id"]) == wanted), None)
        if chosen is not None:
            initial = {"body": chosen["text"], "template": chosen["id"]}
        reply_form = ReplyForm(initial=initial)
    is_awaiting = conversation.status in (ConversationStatus.AWAITING_REPLY, ConversationStatus.ESCALATED)
    if exclude_form is None and is_awaiting and latest_buyer is not None:
        exclude_form = ExcludeForm(initial={"message": latest_buyer.pk})
    context = {
        "conversation": conversation,
        "thread": thread,
        "quick_replies": quick_replies,
        "suggestion": suggestion,
        "reply_form": reply_form,
        "exclude_form": exclude_form if is_awaiting else None,
        "countdown": countdown(conversation.response_due_at, now) if is_awaiting else None,
        "is_closed": conversation.status == ConversationStatus.CLOSED,
        "viewer": "seller",
    }
    return render(request, "inquiries/seller_conversation.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def seller_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    conversation = _seller_conversation(user, pk)
    if request.method == "GET":
        return _seller_conversation_page(request, conversation)
    form = ReplyForm(request.POST)
    if form.is_valid():
        template = None
        if form.cleaned_data["template"]:
            template = next((t for t in _templates_for(conversation) if t.pk == form.cleaned_data["template"]), None)
        try:
            message_post(
                conversation=conversation,
                author=user,
                body=form.cleaned_data["body"] or "",
                template=template,
                now=timezone.now(),
            )
        except DomainError as error:
            attach_domain_error(form, error)
            return _seller_conversation_page(request, conversation, reply_form=form, status=error_status(error))
        flash.success(request, "Reply sent. The buyer has been notified.")
        return redirect("seller-conversation", pk=conversation.pk)
    return _seller_conversation_page(request, conversation, reply_form=form, status=400)


@require_POST
@login_required
@one_time_form
def seller_conversation_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    conversation = _seller_conversation(user, pk)
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        return _seller_conversation_page(request, conversation, exclude_form=form, status=400)
    message = Message.objects.filter(conversation=conversation, pk=form.cleaned_data["message"]).first()
    if message is None:
        form.add_error(None, "That message is not part of this conversation.")
        return _seller_conversation_page(request, conversation, exclude_form=form, status=400)
    try:
        inquiry_exclude(message=message, actor=user, reason=form.cleaned_data["reason"] or "", now=timezone.now())
    except DomainError as error:
        attach_domain_error(form, error)
        return _seller_conversation_page(request, conversation, exclude_form=form, status=error_status(error))
    flash.success(request, "Marked as needing no response: this question no longer counts towards your response time.")
    return redirect("seller-conversation", pk=conversation.pk)


# --- quick replies ---------------------------------------------------------------------------


def _own_quick_reply(user: User, pk: int) -> ReplyTemplate | None:
    """A seller's own template, for one of the user's stores. Starters and others' are 404 here."""
    return ReplyTemplate.objects.filter(pk=pk, seller_id__in=member_seller_ids(user)).select_related("seller").first()


QUICK_REPLIES = OwnTemplates(
    form=ReplyTemplateForm,
    url_name="seller-quick-replies",
    page_template="inquiries/quick_replies.html",
    edit_template="inquiries/quick_reply_edit.html",
    noun="Quick reply",
    shared_key="starter_templates",
    for_seller=lambda seller_id: reads.reply_templates_for_seller(seller_id=seller_id),
    own=_own_quick_reply,
    create=reply_template_create,
    update=reply_template_update,
    initial=lambda template: {"title": template.title, "body": template.body, "keywords": template.keywords},
    choose_seller=lambda user, wanted: seller_get_chosen(user=user, wanted=wanted),
    sellers_of=seller_list_for_member,
)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def quick_replies(request: HttpRequest) -> HttpResponse:
    return QUICK_REPLIES.library_view(request)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def quick_reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return QUICK_REPLIES.edit_view(request, pk)


@require_POST
@login_required
@one_time_form
def quick_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return QUICK_REPLIES.retire_view(
        request,
        pk,
        retire=lambda template, user: reply_template_delete(template=template, actor=user),
        done="Quick reply “{title}” deleted.",
    )


# --- the buyer side ----------------------------------------------------------------------------


@require_GET
@login_required
def buyer_conversation_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    page = Paginator(reads.buyer_conversations(buyer=user), BUYER_PAGE_SIZE).get_page(request.GET.get("page"))
    orders = _buyer_orders(user)
    context = {
        "page": page,
        "recent_orders": list(orders[:RECENT_ORDERS]),
        "order_count": orders.count(),
        "target_text": duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds()),
    }
    return render(request, "inquiries/buyer_list.html", context)


def _buyer_orders(user: User) -> Any:
    """The buyer's own orders (a store member's store orders are not theirs to ask about)."""
    return order_visible_queryset(user).filter(buyer_id=user.pk).select_related("seller").order_by("-placed_at", "-id")


def _buyer_ask_chooser(request: HttpRequest, user: User) -> HttpResponse:
    """``/messages/new/`` with nothing chosen yet: every order of the buyer, paged, and the
    catalogue searched by name, so a buyer can ask before buying too."""
    query = (request.GET.get("q") or "").strip()[:100]
    products: list[Product] = []
    if query:
        products = list(
            Product.objects.filter(is_active=True, seller__is_active=True, name__icontains=query)
            .select_related("seller")
            .order_by("name", "id")[:PRODUCT_MATCHES]
        )
    orders = Paginator(_buyer_orders(user), CHOOSER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "orders": orders,
        "query": query,
        "products": products,
        "target_text": duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds()),
    }
    return render(request, "inquiries/buyer_choose.html", context)


def _buyer_conversation(user: User, pk: int) -> Conversation:
    conversation = reads.conversation_get_for_buyer(buyer=user, pk=pk)
    if conversation is None:
        raise Http404("No such conversation")
    return conversation


def _buyer_thread_page(
    request: HttpRequest, conversation: Conversation, *, reply_form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    is_awaiting = conversation.status in (ConversationStatus.AWAITING_REPLY, ConversationStatus.ESCALATED)
    context = {
        "conversation": conversation,
        "thread": list(reads.conversation_messages(conversation=conversation)),
        "reply_form": reply_form or ReplyForm(),
        "countdown": countdown(conversation.response_due_at, now) if is_awaiting else None,
        "is_closed": conversation.status == ConversationStatus.CLOSED,
        "has_badge": reads.seller_has_responsive_badge(seller_id=conversation.seller_id),
        "viewer": "buyer",
    }
    return render(request, "inquiries/buyer_thread.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def buyer_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    conversation = _buyer_conversation(user, pk)
    if request.method == "GET":
        return _buyer_thread_page(request, conversation)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _buyer_thread_page(request, conversation, reply_form=form, status=400)
    try:
        message_post(conversation=conversation, author=user, body=form.cleaned_data["body"] or "", now=timezone.now())
    except DomainError as error:
        attach_domain_error(form, error)
        return _buyer_thread_page(request, conversation, reply_form=form, status=error_status(error))
    flash.success(request, "Message sent.")
    return redirect("messages-thread", pk=conversation.pk)


@require_POST
@login_required
@one_time_form
def buyer_conversation_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    conversation = _buyer_conversation(user, pk)
    try:
        conversation_close(conversation=conversation, actor=user, now=timezone.now())
    except DomainError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, "Conversation closed. Thanks for letting us know!")
    return redirect("messages-thread", pk=conversation.pk)


def _ask_target(request: HttpRequest, user: User) -> tuple[Seller, Product | None, Order | None]:
    """What the buyer asks about: ``?order=`` (one of their own orders), ``?product=`` (any active
    product: its store is the one asked, bought or not), or ``?seller=`` with an optional
    ``?product=`` of that seller. A value that is no id is a 400 naming it; an id of
    nothing the buyer may ask about is a 404, like a missing page."""
    params = request.GET
    order_id, seller_id, product_id = (
        id_param(params.get(name), field=name) for name in ("order", "seller", "product")
    )
    order = None
    if order_id is not None:
        order = order_visible_queryset(user).filter(pk=order_id, buyer_id=user.pk).select_related("seller").first()
        if order is None:
            raise Http404("No such order")
        seller = order.seller
    elif seller_id is not None:
        found = Seller.objects.filter(pk=seller_id, is_active=True).first()
        if found is None:
            raise Http404("No such seller")
        seller = found
    elif product_id is not None:
        product = (
            Product.objects.filter(pk=product_id, is_active=True, seller__is_active=True)
            .select_related("seller")
            .first()
        )
        if product is None:
            raise Http404("No such product")
        return product.seller, product, None
    else:
        raise Http404("Ask about an order, a product or a seller")
    product = None
    if product_id is not None:
        product = Product.objects.filter(pk=product_id, seller=seller, is_active=True).first()
        if product is None:
            raise Http404("No such product")
    return seller, product, order


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def buyer_conversation_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    if not any(request.GET.get(name) for name in ("order", "seller", "product")):
        if request.method != "GET":
            return redirect("messages-new")
        return _buyer_ask_chooser(request, user)
    seller, product, order = _ask_target(request, user)
    status = 200
    if request.method == "POST":
        form = AskSellerForm(request.POST)
        if form.is_valid():
            try:
                conversation = conversation_open(
                    buyer=user,
                    seller=seller,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    product=product,
                    order=order,
                    now=timezone.now(),
                )
            except DomainError as error:
                attach_domain_error(form, error)
                status = error_status(error)
            else:
                flash.success(request, f"Your question was sent to {seller.name}.")
                return redirect("messages-thread", pk=conversation.pk)
        else:
            status = 400
    else:
        subject = ""
        if order is not None:
            subject = f"About order {order.number}"
        elif product is not None:
            subject = f"About {product.name}"
        form = AskSellerForm(initial={"subject": subject})
    context = {
        "form": form,
        "seller": seller,
        "product": product,
        "order": order,
        "has_badge": reads.seller_has_responsive_badge(seller_id=seller.pk),
        "target_text": duration_words(settings.INQUIRIES_RESPONSE_TARGET.total_seconds()),
    }
    return render(request, "inquiries/buyer_new.html", context, status=status)
