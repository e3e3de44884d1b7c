"""Orders, their items and history, shipments and tracking in the console: written by the order
services, read-only here; the status changes through its action page (``order_status_change``)."""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from core.console import (
    ActionPage,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    posted,
    service_form_view,
)
from core.money import money_text
from marketplace.models import (
    ORDER_TRANSITIONS,
    Invoice,
    Order,
    OrderDelay,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Payment,
    Shipment,
    TrackingEvent,
)
from marketplace.services.orders import order_status_change

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
        return money_text(obj.total, obj.currency)


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


@admin.register(OrderDelay)
class OrderDelayAdmin(ReadOnlyAdmin):
    """Delays the sweep found and told the buyer about (once each)."""

    list_display = ("detected_at", "order", "shipment", "kind", "expected_delivery", "last_activity_at", "notified_at")
    list_filter = ("kind",)
    search_fields = ("order__number", "shipment__tracking_number")
    list_select_related = ("order", "shipment")
    date_hierarchy = "detected_at"
