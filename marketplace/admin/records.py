"""Marketplace records in the moderators' console.

Two kinds of page. Reference data that staff maintain by hand (sellers, their members, products)
is editable. Everything a service writes (orders, shipments, invoices, payments, refunds, receipts,
their history rows, document numbers) is read-only here for everyone, superusers included: totals
and numbers are computed by the services, event rows are append-only, and an issued invoice is
never overwritten. Changes to those records go through the admin actions, which call the same
services the API and the pages call.
"""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User
from core.console import (
    ActionPage,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    ServiceCall,
    admin_link,
    bulk_service_action,
    posted,
    service_form_view,
)
from marketplace.models import (
    ORDER_TRANSITIONS,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    PaymentEvent,
    Product,
    Receipt,
    ReceiptDelivery,
    Refund,
    Seller,
    SellerMembership,
    Shipment,
    TrackingEvent,
)
from marketplace.services.billing import invoice_reissue, receipt_resend, refund_issue
from marketplace.services.orders import order_status_change


def _money(amount: object, currency: str) -> str:
    return f"{amount} {currency}"


# --- Forms and pages for the service actions ------------------------------------------------
#
# Each page only collects what the service needs and shows its answer: the rules (who may, which
# state, how much) live in the service, and a refused request leaves the records as they were.


class OrderStatusForm(forms.Form):
    to_status = forms.ChoiceField(label="New status")
    note = forms.CharField(label="Note (sent to the buyer)", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ORDER_TRANSITIONS.get(order.status, set())
        cast(forms.ChoiceField, self.fields["to_status"]).choices = [
            (value, label) for value, label in OrderStatus.choices if value in allowed
        ]


class InvoiceReissueForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the new version",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept on the new version and sent to the buyer. The current version is kept, marked superseded.",
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(label="Amount", max_digits=14, decimal_places=2)
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the refund and sent to the buyer.",
    )


class ResendReceiptForm(forms.Form):
    """Nothing to type: the receipt goes to the buyer's account address."""


# --- Sellers, members, products (editable reference data) -------------------------------------


class SellerMembershipInline(admin.TabularInline):
    """The members of a seller, on the seller's page."""

    model = SellerMembership
    fk_name = "seller"
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SellerMembership]:
        return super().get_queryset(request).select_related("user")


class UserSellerMembershipInline(admin.TabularInline):
    """The stores a user belongs to, on the user's page."""

    model = SellerMembership
    fk_name = "user"
    extra = 0
    fields = ("seller", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("seller",)
    verbose_name = "seller membership"
    verbose_name_plural = "seller memberships"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SellerMembership]:
        return super().get_queryset(request).select_related("seller")


# The user admin is accounts' (below marketplace: accounts may not import this), registered before
# this module by the admin's autodiscovery (INSTALLED_APPS order); marketplace adds the users'
# memberships inline to it through the site's registry rather than importing accounts' admin.
_user_admin = type(admin.site.get_model_admin(User))
_user_admin.inlines = [*_user_admin.inlines, UserSellerMembershipInline]


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "email", "is_active", "member_count", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "slug", "email")
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = (SellerMembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Seller]:
        # Explicitly ordered: Django leaves Meta.ordering out of a GROUP BY query, and the console's
        # seller autocomplete paginates this queryset (an unordered page warns and may repeat rows).
        return super().get_queryset(request).annotate(member_total=Count("memberships")).order_by("name", "id")

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, obj: Seller) -> int:
        return obj.member_total  # type: ignore[attr-defined]


@admin.register(SellerMembership)
class SellerMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "seller", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "seller__name", "seller__slug")
    list_select_related = ("user", "seller")
    autocomplete_fields = ("user", "seller")
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "seller", "price", "currency", "is_active", "created_at")
    list_filter = ("is_active", "currency")
    search_fields = ("name", "sku", "seller__name")
    list_select_related = ("seller",)
    autocomplete_fields = ("seller",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"


# --- Orders and their history --------------------------------------------------------------


class OrderItemInline(ReadOnlyTabularInline):
    model = OrderItem
    fields = ("product_name", "product", "quantity", "unit_price", "line_total")
    readonly_fields = fields
    related = ("product",)


class OrderShipmentInline(ReadOnlyTabularInline):
    """Shipments of the order; each links to its page, where its tracking events are."""

    model = Shipment
    fields = ("carrier", "tracking_number", "shipped_at", "expected_delivery", "delivered_at")
    readonly_fields = fields
    show_change_link = True


class OrderInvoiceInline(ReadOnlyTabularInline):
    model = Invoice
    fields = ("number", "version", "status", "total", "currency", "created_at")
    readonly_fields = fields
    show_change_link = True


class OrderPaymentInline(ReadOnlyTabularInline):
    model = Payment
    fields = ("reference", "method", "status", "amount", "captured_amount", "refunded_amount", "currency")
    readonly_fields = fields
    show_change_link = True


class OrderEventInline(ReadOnlyTabularInline):
    model = OrderEvent
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    related = ("actor",)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "placed_at", "buyer", "seller", "status", "total_display")
    list_filter = ("status", "currency")
    search_fields = ("number", "buyer__username", "buyer__email", "seller__name")
    list_select_related = ("buyer", "seller")
    date_hierarchy = "placed_at"
    autocomplete_fields = ("buyer", "seller")
    fieldsets = (
        (None, {"fields": ("number", "status", "buyer", "seller", "placed_at")}),
        ("Amounts (computed)", {"fields": ("currency", "subtotal", "shipping_fee", "tax", "discount", "total")}),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "number",
        "status",
        "buyer",
        "seller",
        "placed_at",
        "currency",
        "subtotal",
        "shipping_fee",
        "tax",
        "discount",
        "total",
        "created_at",
        "updated_at",
    )
    inlines = (OrderItemInline, OrderShipmentInline, OrderInvoiceInline, OrderPaymentInline, OrderEventInline)
    action_pages = (ActionPage("status", "status_change_view", "has_status_change_permission", "can_change_status"),)

    def has_status_change_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.change_order")

    def status_change_view(self, request: HttpRequest, order: Order) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=order,
            form=OrderStatusForm(posted(request), order=order),
            title=f"Change the status of order {order.number}",
            intro=f"The order is {order.get_status_display().lower()}. The buyer is notified of the change.",
            submit_label="Change status",
            run=lambda call: order_status_change(
                order=order, to_status=call.data["to_status"], note=call.data["note"], actor=call.actor, now=call.now
            ),
            success_message=lambda result: f"Order {order.number} is now {order.get_status_display().lower()}.",
        )

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj: Order) -> str:
        return _money(obj.total, obj.currency)


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyAdmin):
    list_display = ("order", "product_name", "product", "quantity", "unit_price", "line_total")
    search_fields = ("order__number", "product_name", "product__sku")
    list_select_related = ("order", "product")
    autocomplete_fields = ("order", "product")


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "order", "kind", "from_status", "to_status", "actor", "note")
    list_filter = ("kind",)
    search_fields = ("order__number", "note", "actor__username")
    list_select_related = ("order", "actor")
    date_hierarchy = "created_at"


# --- Shipments and tracking ------------------------------------------------------------------


class TrackingEventInline(ReadOnlyTabularInline):
    model = TrackingEvent
    fields = ("occurred_at", "status", "location", "description", "created_at")
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "carrier", "order", "shipped_at", "expected_delivery", "delivered_at")
    list_filter = ("carrier",)
    search_fields = ("tracking_number", "carrier", "order__number")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("order",)
    inlines = (TrackingEventInline,)


@admin.register(TrackingEvent)
class TrackingEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "shipment", "order_number", "status", "location")
    list_filter = ("status",)
    search_fields = ("shipment__tracking_number", "shipment__order__number", "status", "location")
    list_select_related = ("shipment__order",)
    date_hierarchy = "occurred_at"

    @admin.display(description="Order", ordering="shipment__order__number")
    def order_number(self, obj: TrackingEvent) -> str:
        return obj.shipment.order.number


# --- Invoices (versioned: nothing is overwritten) -----------------------------------------------


class InvoiceLineInline(ReadOnlyTabularInline):
    model = InvoiceLine
    fields = ("description", "product", "quantity", "unit_price", "line_total")
    readonly_fields = fields
    related = ("product",)


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "version", "order", "status_badge", "total_display", "issued_by", "created_at")
    list_display_links = ("number",)
    list_filter = ("status", "currency")
    search_fields = ("number", "order__number", "reason")
    list_select_related = ("order", "issued_by", "superseded_by")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order",)
    fieldsets = (
        (None, {"fields": ("number", "version", "status_badge", "order", "superseded_by_link", "supersedes")}),
        ("Why this version", {"fields": ("reason", "issued_by", "created_at")}),
        ("Amounts (computed)", {"fields": ("currency", "subtotal", "shipping_fee", "tax", "discount", "total")}),
    )
    readonly_fields = (
        "number",
        "version",
        "status_badge",
        "order",
        "superseded_by_link",
        "supersedes",
        "reason",
        "issued_by",
        "created_at",
        "currency",
        "subtotal",
        "shipping_fee",
        "tax",
        "discount",
        "total",
    )
    inlines = (InvoiceLineInline,)
    action_pages = (ActionPage("reissue", "reissue_view", "has_reissue_permission", "can_reissue"),)

    def has_reissue_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.reissue_invoice")

    def reissue_view(self, request: HttpRequest, invoice: Invoice) -> HttpResponse:
        return service_form_view(
            self,
            request,
            obj=invoice,
            form=InvoiceReissueForm(posted(request)),
            title=f"Reissue invoice {invoice}",
            intro=(
                f"A new version {invoice.version + 1} of invoice {invoice.number} is issued with the same lines and "
                f"amounts, totals recomputed; version {invoice.version} is kept and marked superseded."
            ),
            submit_label="Reissue invoice",
            run=lambda call: invoice_reissue(
                invoice=invoice, reason=call.data["reason"], actor=call.actor, now=call.now
            ),
            success_message=lambda new: f"Invoice {new} issued; {invoice} is superseded.",
            open_result=True,
        )

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Invoice) -> SafeString:
        if obj.status == InvoiceStatus.SUPERSEDED:
            return format_html('<span class="sp-badge sp-badge--superseded">{}</span>', "Superseded")
        return format_html('<span class="sp-badge sp-badge--current">{}</span>', "Current version")

    @admin.display(description="Superseded by")
    def superseded_by_link(self, obj: Invoice) -> SafeString | str:
        newer = getattr(obj, "superseded_by", None)
        return admin_link(newer)

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj: Invoice) -> str:
        return _money(obj.total, obj.currency)


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyAdmin):
    list_display = ("invoice", "description", "quantity", "unit_price", "line_total")
    search_fields = ("invoice__number", "description")
    list_select_related = ("invoice",)


# --- Payments, refunds, receipts ---------------------------------------------------------


class RefundInline(ReadOnlyTabularInline):
    model = Refund
    fields = ("created_at", "amount", "reason", "created_by")
    readonly_fields = fields
    related = ("created_by",)


class PaymentEventInline(ReadOnlyTabularInline):
    model = PaymentEvent
    fields = ("created_at", "from_status", "to_status", "amount", "actor", "note")
    readonly_fields = fields
    related = ("actor",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "order",
        "method",
        "status",
        "amount",
        "captured_amount",
        "refunded_amount",
        "currency",
        "created_at",
    )
    list_filter = ("status", "method", "currency")
    search_fields = ("reference", "order__number")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("order",)
    fieldsets = (
        (None, {"fields": ("reference", "order", "method", "status", "captured_at")}),
        (
            "Amounts (computed)",
            {"fields": ("currency", "amount", "captured_amount", "refunded_amount", "refundable")},
        ),
        ("Audit", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "reference",
        "order",
        "method",
        "status",
        "captured_at",
        "currency",
        "amount",
        "captured_amount",
        "refunded_amount",
        "refundable",
        "created_at",
        "updated_at",
    )
    inlines = (RefundInline, PaymentEventInline)
    action_pages = (ActionPage("refund", "refund_view", "has_refund_permission", "can_refund"),)

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.add_refund")

    def refund_view(self, request: HttpRequest, payment: Payment) -> HttpResponse:

        def run(call: ServiceCall) -> object:
            amount: Decimal = call.data["amount"]
            return refund_issue(
                payment=payment, amount=amount, reason=call.data["reason"], actor=call.actor, now=call.now
            )

        return service_form_view(
            self,
            request,
            obj=payment,
            form=RefundForm(posted(request)),
            title=f"Refund payment {payment.reference}",
            intro=f"Captured {_money(payment.captured_amount, payment.currency)}, refunded so far "
            f"{_money(payment.refunded_amount, payment.currency)}: at most "
            f"{_money(payment.refundable_amount, payment.currency)} can still be refunded.",
            submit_label="Refund",
            run=run,
            success_message=lambda result: f"Refund recorded on payment {payment.reference}.",
        )

    @admin.display(description="Refundable")
    def refundable(self, obj: Payment) -> str:
        return _money(obj.refundable_amount, obj.currency)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "payment", "order_number", "amount", "created_by", "reason")
    search_fields = ("payment__reference", "payment__order__number", "reason")
    list_select_related = ("payment__order", "created_by")
    date_hierarchy = "created_at"

    @admin.display(description="Order", ordering="payment__order__number")
    def order_number(self, obj: Refund) -> str:
        return obj.payment.order.number


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "payment", "from_status", "to_status", "amount", "actor", "note")
    list_filter = ("to_status",)
    search_fields = ("payment__reference", "note")
    list_select_related = ("payment", "actor")
    date_hierarchy = "created_at"


class ReceiptDeliveryInline(ReadOnlyTabularInline):
    model = ReceiptDelivery
    fields = ("created_at", "email", "is_resend", "requested_by")
    readonly_fields = fields
    related = ("requested_by",)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("number", "payment", "order_number", "amount", "currency", "email", "created_at")
    list_filter = ("currency",)
    search_fields = ("number", "payment__reference", "payment__order__number", "email")
    list_select_related = ("payment__order",)
    date_hierarchy = "created_at"
    inlines = (ReceiptDeliveryInline,)
    actions = ("resend_to_buyer",)
    action_pages = (ActionPage("resend", "resend_view", "has_resend_receipt_permission", "can_resend"),)

    def has_resend_receipt_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("marketplace.resend_receipt")

    def resend_view(self, request: HttpRequest, receipt: Receipt) -> HttpResponse:
        buyer = receipt.payment.order.buyer
        return service_form_view(
            self,
            request,
            obj=receipt,
            form=ResendReceiptForm(posted(request)),
            title=f"Resend receipt {receipt.number}",
            intro=f"Receipt {receipt.number} is sent again to the buyer, {buyer} <{buyer.email or 'no email'}>.",
            submit_label="Resend receipt",
            run=lambda call: receipt_resend(receipt=receipt, actor=call.actor, now=call.now),
            success_message=lambda result: f"Receipt {receipt.number} resent to {buyer.email}.",
        )

    @admin.action(description="Resend the selected receipts to their buyers", permissions=["resend_receipt"])
    def resend_to_buyer(self, request: HttpRequest, queryset: QuerySet[Receipt]) -> None:
        bulk_service_action(
            self,
            request,
            queryset,
            run=lambda receipt, call: receipt_resend(receipt=receipt, actor=call.actor, now=call.now),
            verb="Resent",
            label=lambda receipt: receipt.number,
            done_label=lambda receipt, delivery: f"{receipt.number} → {delivery.email}",
        )

    @admin.display(description="Order", ordering="payment__order__number")
    def order_number(self, obj: Receipt) -> str:
        return obj.payment.order.number


@admin.register(ReceiptDelivery)
class ReceiptDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "receipt", "email", "is_resend", "requested_by")
    list_filter = ("is_resend",)
    search_fields = ("receipt__number", "email")
    list_select_related = ("receipt", "requested_by")
    date_hierarchy = "created_at"


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    """Shown so staff can see where numbering stands; only the numbering service moves it."""

    list_display = ("prefix", "year", "last_value")
    list_filter = ("prefix", "year")
    search_fields = ("prefix",)
