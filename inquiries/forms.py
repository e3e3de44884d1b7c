"""The page forms. They only shape input for the textareas and inputs; every rule (blank bodies,
length limits, closed conversations, who may do what) is the services' and comes back as a
``DomainError`` that the views attach to the form (``attach_domain_error``)."""

from django import forms
from django.conf import settings

from core.forms import LimitedTextField, SingleLineCharField
from core.ids import IdFormField
from core.text import PLACEHOLDERS


def _textarea(rows: int, placeholder: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


class AskSellerForm(forms.Form):
    subject = SingleLineCharField(
        max_length=200, widget=forms.TextInput(attrs={"placeholder": "e.g. Does it come in blue?"})
    )
    body = LimitedTextField(
        label="Your question",
        max_length=settings.INQUIRIES_MESSAGE_MAX_LENGTH,
        strip=False,  # the service strips and reports an empty body itself
        widget=_textarea(6, "Ask about availability, sizes, delivery, your invoice..."),
    )


class ReplyForm(forms.Form):
    body = LimitedTextField(
        label="Your reply",
        required=False,  # an empty body reaches message_post, which says why it is refused
        max_length=settings.INQUIRIES_MESSAGE_MAX_LENGTH,
        strip=False,
        widget=_textarea(5, "Write a reply..."),
    )
    template = IdFormField(required=False, widget=forms.HiddenInput)


class ExcludeForm(forms.Form):
    message = IdFormField(widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False,  # inquiry_exclude explains a missing reason
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Just a thank-you"}),
    )


class ReplyTemplateForm(forms.Form):
    title = SingleLineCharField(max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. Shipping times"}))
    body = LimitedTextField(
        max_length=settings.INQUIRIES_MESSAGE_MAX_LENGTH,
        widget=_textarea(6, "Hi {customer_name}, thanks for asking about {product}..."),
        help_text=f"Placeholders: {PLACEHOLDERS.listed}",
    )
    keywords = SingleLineCharField(
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. delivery, shipping, arrive"}),
        help_text="Extra words that make this reply the suggestion for a buyer's message",
    )
