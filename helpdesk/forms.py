"""The buyer's support forms (``/support/``)."""

from typing import Any

from django import forms

from core.forms import SingleLineCharField
from helpdesk.models import SUBCATEGORIES, Category, Subcategory


def _textarea(rows: int, placeholder: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


class TicketForm(forms.Form):
    category = forms.ChoiceField(label="What is it about?", choices=Category.choices)
    subcategory = forms.ChoiceField(
        label="What exactly?",
        required=False,
        choices=[("", "—"), *Subcategory.choices],
        help_text="Invoices: wrong charge, missing item, tax, discount. Receipts: missing or incorrect. "
        "Payments: failed, declined, overcharge, duplicate charge, refund status.",
    )
    order = forms.TypedChoiceField(label="Order", coerce=int, required=False, empty_value=None, choices=())
    invoice = forms.TypedChoiceField(label="Invoice", coerce=int, required=False, empty_value=None, choices=())
    payment = forms.TypedChoiceField(label="Payment", coerce=int, required=False, empty_value=None, choices=())
    subject = SingleLineCharField(label="Subject", max_length=200)
    body = forms.CharField(
        label="Tell us more", max_length=5000, strip=False, widget=_textarea(6, "What happened, and what you expected.")
    )

    def __init__(
        self,
        *args: Any,
        orders: list[tuple[int, str]],
        invoices: list[tuple[int, str]],
        payments: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [("", "—"), *orders]  # type: ignore[attr-defined]
        self.fields["invoice"].choices = [("", "—"), *invoices]  # type: ignore[attr-defined]
        self.fields["payment"].choices = [("", "—"), *payments]  # type: ignore[attr-defined]

    @staticmethod
    def subcategories() -> dict[str, tuple[str, ...]]:
        return {str(key): tuple(str(value) for value in values) for key, values in SUBCATEGORIES.items()}


class ReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", max_length=5000, strip=False, widget=_textarea(4, "Write your reply"))
