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
