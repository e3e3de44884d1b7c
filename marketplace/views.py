"""The buyer's own order pages (``/orders/``): their orders with shipping and tracking, and each
order's invoices (every version, what changed and why), receipts (resend to me), payments and
refunds with a status timeline. Only the buyer's own orders: any other order is a 404.

Each page links to "Get help with this" on the help desk (``/support/new/?order=``, ``?invoice=``,
``?payment=``): the help desk is another app, so its address comes from the URL name when it is
installed and from the plain path otherwise (``support_new_url``).
"""

from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.exceptions import DomainError
from marketplace.models import Order, OrderDelay
from marketplace.selectors.buyer import (
    buyer_order_get,
    buyer_order_list,
    buyer_receipt_get,
    invoice_versions,
    payment_views,
)
from marketplace.selectors.orders import order_status_answer_text
from marketplace.services.billing import receipt_resend

SUPPORT_NEW_URL_NAME = "support-new"
SUPPORT_NEW_PATH = "/support/new/"


def support_new_url(**about: int) -> str:
    """The help desk's "new ticket" page, tied to what the buyer asks about: one of ``order=``,
    ``invoice=``, ``payment=`` (the help desk finds the order from an invoice or a payment)."""
    try:
        base = reverse(SUPPORT_NEW_URL_NAME)
    except NoReverseMatch:
        base = SUPPORT_NEW_PATH
    return f"{base}?{urlencode(about)}"


@require_GET
@login_required
def buyer_orders(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    page = Paginator(buyer_order_list(buyer=user), settings.MARKETPLACE_BUYER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for order in page.object_list:
        shipments = list(order.shipments.all())
        shipment = shipments[0] if shipments else None
        rows.append(
            {
                "order": order,
                "shipment": shipment,
                "events": list(shipment.events.all()) if shipment else [],
                "help_url": support_new_url(order=order.pk),
            }
        )
    return render(
        request, "marketplace/buyer_orders.html", {"page": page, "rows": rows, "today": timezone.now().date()}
    )


def _own_order(user: User, pk: int) -> Order:
    order = buyer_order_get(buyer=user, pk=pk)
    if order is None:
        raise Http404("No such order")
    return order


@require_GET
@login_required
def buyer_order(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    order = _own_order(user, pk)
    now = timezone.now()
    shipments = [{"shipment": shipment, "events": list(shipment.events.all())} for shipment in order.shipments.all()]
    versions = [
        {"version": version, "help_url": support_new_url(invoice=version.invoice.pk)}
        for version in invoice_versions(order)
    ]
    payments = [{"view": view, "help_url": support_new_url(payment=view.payment.pk)} for view in payment_views(order)]
    context = {
        "order": order,
        "order_items": list(order.items.all()),
        "shipments": shipments,
        "status_text": order_status_answer_text(order=order, now=now),
        "is_delayed": OrderDelay.objects.filter(order_id=order.pk, notified_at__isnull=False)
        .filter(shipment__delivered_at__isnull=True)
        .exists(),
        "invoices": versions,
        "payments": payments,
        "help_url": support_new_url(order=order.pk),
        "today": now.date(),
    }
    return render(request, "marketplace/buyer_order.html", context)


@require_POST
@login_required
def buyer_receipt_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Resend to me": the receipt to the buyer's own account address (logged as a delivery)."""
    user = cast(User, request.user)  # login_required: never anonymous here
    receipt = buyer_receipt_get(buyer=user, pk=pk)
    if receipt is None:
        raise Http404("No such receipt")
    try:
        delivery = receipt_resend(receipt=receipt, actor=user, now=timezone.now())
    except DomainError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, f"Receipt {receipt.number} sent again to {delivery.email}.")
    return redirect("orders-detail-page", pk=receipt.payment.order_id)
