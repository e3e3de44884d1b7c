"""Record ids read from outside: the one rule for paths, query parameters and forms.

An id is a positive 64-bit integer (PostgreSQL's bigint) written in ASCII digits. ``str.isdigit``
and ``int`` are not that rule: ``"²".isdigit()`` is true and ``int("²")`` raises (a 500 where a
view trusted the first to guard the second), while ``int`` reads Arabic-Indic and full-width
digits as numbers. Everything that reads an id goes through ``parse_id``:

- paths: the ``<id:pk>`` converter (registered by ``core.apps``) and ``ID_PATTERN`` for the API
  routers' lookups; anything else in the segment does not match, so it is the page's or the API's 404;
- query parameters: ``id_param(value, field=...)``, an ``InvalidId`` naming the parameter: a 400 at
  the API (a ``DomainError``) and a 400 page elsewhere (a ``BadRequest``);
- forms and filters: ``IdFormField``; serializers: ``core.api.fields.IdField``.
"""

import re
from typing import Any

from django import forms

from core.exceptions import BadParameter

# The largest id a record can have (PostgreSQL's bigint): anything above is "no such record".
MAX_ID = 2**63 - 1

# ASCII digits only: in a Python regular expression ``[0-9]`` is exactly those (``\d`` is not).
ID_PATTERN = "[0-9]+"
_ID_RE = re.compile(rf"{ID_PATTERN}\Z")

INVALID_ID_MESSAGE = "Enter a record's id (a whole number from 1, in the digits 0-9)."


def parse_id(value: Any) -> int | None:
    """``value`` as an id, or None when it is not one: text of ASCII digits (or an ``int``, not a
    ``bool``) from 1 to ``MAX_ID``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ID_RE.match(value) and len(value) <= len(str(MAX_ID)):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


class InvalidId(BadParameter):
    """A query parameter that is not an id: a 400 naming it, at the API and on the pages."""


def id_param(value: str | None, *, field: str) -> int | None:
    """The id in query parameter ``field`` (None when absent or empty), or ``InvalidId`` on it."""
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise InvalidId(INVALID_ID_MESSAGE, code="invalid", field=field)
    return number


class IdConverter:
    """``<id:pk>``: a path segment that is an id; anything else does not match the route (404)."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the resolver tries the next route, then answers 404
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class IdFormField(forms.IntegerField):
    """A form or filter field holding an id: ``parse_id``'s rule, with the form's own message."""

    default_error_messages = {"invalid": INVALID_ID_MESSAGE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_id(value.strip() if isinstance(value, str) else value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number
