"""Query-parameter filters of the billing lists (django-filter). Invalid values are 400s."""

from django import forms
from django_filters import rest_framework as filters

from marketplace.models import Invoice, InvoiceStatus, Payment, PaymentMethod, PaymentStatus, Receipt

MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """An id: a whole number in the database's range (``1.5`` or ``1e99`` are 400s, not 500s)."""

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


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
