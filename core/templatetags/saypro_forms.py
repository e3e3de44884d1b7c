"""``{% load saypro_forms %}`` then ``{% form_token %}`` inside a POST form, beside
``{% csrf_token %}``: a one-time token that makes a doubled submit answer with the first result
and write nothing new (the view is wrapped in ``core.idempotency.one_time_form``)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.idempotency import FORM_TOKEN_FIELD, new_form_token

register = template.Library()


@register.simple_tag
def form_token(form: str = "") -> SafeString:
    """``form``: the id of the form the field belongs to, when it sits outside that element."""
    if form:
        return format_html(
            '<input type="hidden" name="{}" value="{}" form="{}">', FORM_TOKEN_FIELD, new_form_token(), form
        )
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_TOKEN_FIELD, new_form_token())
