"""The buyer's support pages: their tickets (``/support/``), a new ticket (from an order, invoice or
payment: ``?order=`` / ``?invoice=`` / ``?payment=``), and a ticket with its log and a reply form.
A ticket that is not the user's is a 404. Every write is one service call."""

from typing import Any, cast

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.durations import duration_words
from core.exceptions import DomainError
from core.forms import attach_domain_error, error_status
from core.idempotency import one_time_form
from core.pages import countdown
from helpdesk.forms import ReplyForm, TicketForm
from helpdesk.models import Audience
from helpdesk.selectors.tickets import article_list_published, article_suggestions, ticket_get_own, ticket_list_own
from helpdesk.services.articles import article_read_record, markdown_render
from helpdesk.services.tickets import first_response_target, ticket_interaction_add, ticket_open
from marketplace.selectors.billing import invoice_list_for_user, payment_list_for_user
from marketplace.selectors.orders import order_list

RECENT_RECORDS = 50


@require_GET
@login_required
def support_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    page = Paginator(ticket_list_own(customer=user), 20).get_page(request.GET.get("page"))
    orders = list(order_list(actor=user).filter(buyer=user).select_related("seller")[:10])
    return render(
        request,
        "helpdesk/buyer_list.html",
        {
            "page": page,
            "recent_orders": orders,
            "payment_target": duration_words(first_response_target("payment").total_seconds()),
            "other_target": duration_words(first_response_target("other").total_seconds()),
        },
    )


def _own_records(user: User) -> dict[str, dict[int, Any]]:
    orders = order_list(actor=user).filter(buyer=user).select_related("seller")[:RECENT_RECORDS]
    invoices = invoice_list_for_user(user=user).filter(order__buyer=user).select_related("order")[:RECENT_RECORDS]
    payments = payment_list_for_user(user=user).filter(order__buyer=user).select_related("order")[:RECENT_RECORDS]
    return {
        "order": {order.pk: order for order in orders},
        "invoice": {invoice.pk: invoice for invoice in invoices},
        "payment": {payment.pk: payment for payment in payments},
    }


def _choices(records: dict[str, dict[int, Any]]) -> dict[str, list[tuple[int, str]]]:
    return {
        "orders": [(pk, f"{o.number} — {o.seller.name}, {o.placed_at:%d %b %Y}") for pk, o in records["order"].items()],
        "invoices": [
            (pk, f"{i.number} v{i.version} — order {i.order.number}, {i.total} {i.currency}")
            for pk, i in records["invoice"].items()
        ],
        "payments": [
            (pk, f"{p.reference} — order {p.order.number}, {p.amount} {p.currency} ({p.get_status_display()})")
            for pk, p in records["payment"].items()
        ],
    }


def _initial(request: HttpRequest, records: dict[str, dict[int, Any]]) -> dict[str, Any]:
    """``?order=`` / ``?invoice=`` / ``?payment=`` from a record's "Get help with this"; the
    category follows the record (a payment: a payment problem)."""
    initial: dict[str, Any] = {}
    for name, category in (("order", "order_status"), ("invoice", "invoice"), ("payment", "payment")):
        value = request.GET.get(name, "")
        if value.isdigit() and len(value) <= 18 and int(value) in records[name]:
            initial[name] = int(value)
            initial.setdefault("category", category)
    return initial


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def support_new(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    records = _own_records(user)
    status = 200
    if request.method == "POST":
        form = TicketForm(request.POST, **_choices(records))
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = ticket_open(
                    customer=user,
                    category=data["category"],
                    subcategory=data["subcategory"],
                    subject=data["subject"],
                    body=data["body"],
                    order=records["order"].get(data["order"]) if data["order"] else None,
                    invoice=records["invoice"].get(data["invoice"]) if data["invoice"] else None,
                    payment=records["payment"].get(data["payment"]) if data["payment"] else None,
                    now=timezone.now(),
                )
            except DomainError as error:
                attach_domain_error(form, error)
                status = error_status(error)
            else:
                flash.success(request, f"Thank you: your request {ticket.reference} is open.")
                return redirect("support-ticket", pk=ticket.pk)
        else:
            status = 400
    else:
        form = TicketForm(initial=_initial(request, records), **_choices(records))
    category = form.data.get("category") if form.is_bound else form.initial.get("category")
    suggestions = article_suggestions(category=category)
    return render(request, "helpdesk/buyer_new.html", {"form": form, "suggestions": suggestions}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@one_time_form
def support_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    ticket = ticket_get_own(customer=user, ticket_id=pk)
    if ticket is None:
        raise Http404("No such request")
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                ticket_interaction_add(
                    ticket=ticket, actor=user, kind="message", body=form.cleaned_data["body"], now=timezone.now()
                )
            except DomainError as error:
                attach_domain_error(form, error)
                status = error_status(error)
            else:
                flash.success(request, "Your reply is sent.")
                return redirect("support-ticket", pk=ticket.pk)
        else:
            status = 400
    now = timezone.now()
    clock = getattr(ticket, "clock", None)
    running = clock is not None and clock.stopped_at is None and clock.paused_at is None
    context = {
        "ticket": ticket,
        "entries": ticket.visible_interactions,  # type: ignore[attr-defined]
        "form": form,
        "countdown": countdown(clock.due_at, now) if running and clock is not None else None,
        "may_reply": ticket.status != "closed",
    }
    return render(request, "helpdesk/buyer_ticket.html", context, status=status)


@require_GET
def help_centre(request: HttpRequest) -> HttpResponse:
    """``/help/``: the published articles, searched (``q``) and by audience; no login needed."""
    audience = request.GET.get("audience") if request.GET.get("audience") in Audience.values else None
    query = request.GET.get("q", "").replace("\x00", "")[:200]
    articles = article_list_published(audience=audience, query=query)
    page = Paginator(articles, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "helpdesk/help_list.html",
        {"page": page, "query": query, "audience": audience, "audiences": Audience.choices},
    )


@require_GET
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    article = article_list_published().filter(slug=slug).first()
    if article is None:
        raise Http404("No such article")
    if request.user.is_authenticated:
        # For the report: did the reader open a ticket of the article's category afterwards?
        article_read_record(article=article, user=request.user, now=timezone.now())
    return render(request, "helpdesk/help_article.html", {"article": article, "body": markdown_render(article.body)})
