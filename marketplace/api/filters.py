"""Query-parameter filters (django-filter) for the marketplace API, and a NUL-safe search filter.

Bad filter values are 400s: ids must be positive 64-bit integers (a ``NumberFilter`` would let
``1.5`` through as 1, and an out-of-range number reach the database).
"""

from datetime import UTC
from typing import Any

import django_filters
from django import forms
from rest_framework import exceptions
from rest_framework.filters import SearchFilter
from rest_framework.request import Request

from marketplace.models import Currency, Order, OrderStatus, Product, Seller, Shipment

MAX_ID = 2**63 - 1


class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _SafeIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is not None:
            # Compare in UTC: PostgreSQL refuses offsets beyond ±15:59 ("time zone displacement out
            # of range"), and year 9999 at -23:00 does not exist in UTC at all.
            try:
                parsed = parsed.astimezone(UTC)
            except OverflowError as error:
                raise forms.ValidationError("Date and time out of range.", code="overflow") from error
        return parsed


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _SafeIsoDateTimeField


class SafeSearchFilter(SearchFilter):
    """``?search=``: PostgreSQL rejects NUL characters in text, so they are a 400, not a 500."""

    def get_search_terms(self, request: Request) -> list[str]:
        value = request.query_params.get(self.search_param, "")
        if "\x00" in value:
            raise exceptions.ValidationError({self.search_param: ["Null characters are not allowed."]})
        if len(value) > 200:
            raise exceptions.ValidationError({self.search_param: ["At most 200 characters."]})
        return list(super().get_search_terms(request))


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
