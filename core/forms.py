"""A service's refusal on a form, the same on the pages and in the console: the message next to
the field it is about (or above the form), and the status of the page that shows it again."""

from typing import Any

from django import forms

from core.exceptions import DomainError, StateConflict
from core.text import refuse_control_characters


class SingleLineCharField(forms.CharField):
    """A subject, name or title on a page form: refuses line breaks, tabs and other control
    characters with the message next to the field (``core.text.has_control_characters``)."""

    default_validators = [refuse_control_characters]


def attach_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal next to the field it is about, or above the form."""
    field: Any = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def error_status(error: DomainError) -> int:
    """A page re-showing a form the service refused: 409 for a state conflict, else 400."""
    return 409 if isinstance(error, StateConflict) else 400


class LimitedTextField(forms.CharField):
    """A text field whose limit is shown, never enforced by cutting.

    A browser cuts pasted or typed text at ``maxlength`` without a word, so the person loses the end of
    what they wrote. This field renders ``data-max-length`` instead (``static/js/saypro.js`` shows a
    counter and stops a submit that is over the limit), and the server refuses the text with a
    message next to the field, keeping what was written in the box.
    """

    default_error_messages = {
        "max_length": "Too long: %(show_value)s characters, the limit is %(limit_value)s. "
        "Your text is kept below: shorten it and send it again.",
    }

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if "maxlength" in attrs:
            attrs["data-max-length"] = attrs.pop("maxlength")
        return attrs
