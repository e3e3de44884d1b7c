"""Query-parameter filters (django-filter) for the marketplace API: catalog, orders, shipments and
billing. Bad filter values are 400s (the shared filters of ``core.api.filters``: ids, dates).
"""

import django_filters
from django_filters import rest_framework as filters

from core.api.filters import IdFilter, IsoDateTimeFilter
from marketplace.models import (
    Currency,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Product,
    Receipt,
    Refund,
    RefundGrant,
    RefundGrantStatus,
    Seller,
    Shipment,
)


class SellerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", max_length=200)
    slug = django_filters.CharFilter(max_length=220)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Seller
        fields = ["name", "slug", "is_active"]


class ProductFilter(django_filters.FilterSet):
    seller = IdFilter(field_name="seller_id")
    currency = django_filters.ChoiceFilter(choices=Currency.choices)
    is_active = django_filters.BooleanFilter()
    sku = django_filters.CharFilter(max_length=64)

    class Meta:
        model = Product
        fields = ["seller", "currency", "is_active", "sku"]


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    seller = IdFilter(field_name="seller_id")
    buyer = IdFilter(field_name="buyer_id")
    number = django_filters.CharFilter(max_length=32)
    placed_after = IsoDateTimeFilter(field_name="placed_at", lookup_expr="gte")
    placed_before = IsoDateTimeFilter(field_name="placed_at", lookup_expr="lt")

    class Meta:
        model = Order
        fields = ["status", "seller", "buyer", "number", "placed_after", "placed_before"]


class ShipmentFilter(django_filters.FilterSet):
    order = IdFilter(field_name="order_id")
    carrier = django_filters.CharFilter(max_length=100)
    tracking_number = django_filters.CharFilter(max_length=100)

    class Meta:
        model = Shipment
        fields = ["order", "carrier", "tracking_number"]


class InvoiceFilter(filters.FilterSet):
    order = IdFilter(field_name="order_id", help_text="Invoices of this order.")
    status = filters.ChoiceFilter(choices=InvoiceStatus.choices)
    number = filters.CharFilter(field_name="number", max_length=32, help_text="Every version of this number.")

    class Meta:
        model = Invoice
        fields = ["order", "status", "number"]


class PaymentFilter(filters.FilterSet):
    order = IdFilter(field_name="order_id", help_text="Payments of this order.")
    status = filters.ChoiceFilter(choices=PaymentStatus.choices)
    method = filters.ChoiceFilter(choices=PaymentMethod.choices)

    class Meta:
        model = Payment
        fields = ["order", "status", "method"]


class ReceiptFilter(filters.FilterSet):
    order = IdFilter(field_name="payment__order_id", help_text="Receipts of this order.")
    payment = IdFilter(field_name="payment_id", help_text="The receipt of this payment.")
    number = filters.CharFilter(field_name="number", max_length=32)

    class Meta:
        model = Receipt
        fields = ["order", "payment", "number"]


class RefundFilter(filters.FilterSet):
    order = IdFilter(field_name="payment__order_id", help_text="Refunds of this order.")
    payment = IdFilter(field_name="payment_id", help_text="Refunds of this payment.")

    class Meta:
        model = Refund
        fields = ["order", "payment"]


class RefundGrantFilter(filters.FilterSet):
    order = IdFilter(field_name="payment__order_id", help_text="Grants on this order's payments.")
    payment = IdFilter(field_name="payment_id")
    status = filters.ChoiceFilter(choices=RefundGrantStatus.choices)

    class Meta:
        model = RefundGrant
        fields = ["order", "payment", "status"]
