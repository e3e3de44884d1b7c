"""The reviews page forms. They only shape input; every rule (ratings, lengths, whose order or
review it is, states) is the services' and comes back as a ``DomainError`` that the views attach
to the field it is about (``core.forms.attach_domain_error``)."""

from typing import Any

from django import forms
from django.conf import settings

from core.forms import LimitedTextField, SingleLineCharField
from core.ids import IdFormField
from core.text import PLACEHOLDERS
from reviews.models import CaseKind, TemplateSituation


def _textarea(rows: int, placeholder: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


# Lowest first: the star picker shows them left to right, and the arrow keys move along them in order.
RATING_CHOICES = [(1, "Very poor"), (2, "Poor"), (3, "OK"), (4, "Good"), (5, "Excellent")]


class ReviewForm(forms.Form):
    product = forms.TypedChoiceField(label="Product", coerce=int, choices=())
    rating = forms.TypedChoiceField(
        label="Your rating",
        coerce=int,
        choices=RATING_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "star-input"}),
    )
    title = SingleLineCharField(
        label="Title", max_length=200, widget=forms.TextInput(attrs={"placeholder": "Sum it up in a few words"})
    )
    body = LimitedTextField(
        label="Your review",
        max_length=settings.REVIEWS_BODY_MAX_LENGTH,
        strip=False,  # the service strips and reports an empty body itself
        widget=_textarea(6, "What did you like or dislike? How was the delivery?"),
    )

    def __init__(self, *args: Any, products: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = products  # type: ignore[attr-defined]


class ResponseForm(forms.Form):
    body = LimitedTextField(
        label="Your response",
        required=False,  # an empty body reaches response_post, which says why it is refused
        max_length=settings.REVIEWS_BODY_MAX_LENGTH,
        strip=False,
        widget=_textarea(8, "Thank the customer, acknowledge the issue, offer a solution..."),
        help_text="Shown publicly under the review. Contact details, links and blaming the customer are held "
        "for a moderator.",
    )
    template = IdFormField(required=False, widget=forms.HiddenInput)


class FollowUpForm(forms.Form):
    resolved = forms.TypedChoiceField(
        choices=[("yes", "Resolved"), ("no", "Not resolved")], coerce=lambda value: value == "yes"
    )
    comment = LimitedTextField(
        label="Anything to add?",
        required=False,
        max_length=2000,
        widget=_textarea(2, "Optional: what happened, what is still missing..."),
    )


class CaseForm(forms.Form):
    kind = forms.ChoiceField(label="What is wrong?", choices=CaseKind.choices, widget=forms.RadioSelect)
    review = forms.TypedChoiceField(label="Your review", coerce=int, required=False, empty_value=None, choices=())
    order = forms.TypedChoiceField(label="Order", coerce=int, required=False, empty_value=None, choices=())
    product = forms.TypedChoiceField(
        label="Product the review belongs to", coerce=int, required=False, empty_value=None, choices=()
    )
    description = LimitedTextField(
        label="Describe the problem",
        max_length=5000,
        strip=False,
        widget=_textarea(5, "e.g. I reviewed the blue kettle, but my review shows on the toaster."),
    )

    def __init__(
        self,
        *args: Any,
        reviews: list[tuple[int, str]],
        orders: list[tuple[int, str]],
        products: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["review"].choices = [("", "—"), *reviews]  # type: ignore[attr-defined]
        self.fields["order"].choices = [("", "—"), *orders]  # type: ignore[attr-defined]
        self.fields["product"].choices = [("", "—"), *products]  # type: ignore[attr-defined]


class ResponseTemplateForm(forms.Form):
    situation = forms.ChoiceField(choices=TemplateSituation.choices)
    title = SingleLineCharField(
        max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. Thanks for the praise"})
    )
    body = LimitedTextField(
        max_length=settings.REVIEWS_BODY_MAX_LENGTH,
        widget=_textarea(6, "Thank you {customer_name} for reviewing {product}..."),
        help_text=f"Placeholders: {PLACEHOLDERS.listed}",
    )
