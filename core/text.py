"""Text that people type, cleaned one way, and the placeholders of every template.

``clean_text`` is what every service does with a text field before it stores it: strip it, refuse
what is not text, NUL characters (PostgreSQL rejects them in text; SQLite would store them), a
blank value when one is required, and more than ``max_length`` characters, each as ``InvalidInput``
on the field at fault (a 400 at the API, the message next to the field on a page).

``PLACEHOLDERS`` is the one vocabulary of the templates sellers and staff write (quick replies,
review response templates, the help desk's macros): ``{customer_name}``, ``{product}``,
``{order_number}``, ``{seller_name}``. Rendering substitutes only those names (and their old
aliases) with a regular expression; anything else in braces stays as written. ``str.format`` is
never used: a template or a value could otherwise reach attributes or format specs.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from core.exceptions import InvalidInput

BLANK_MESSAGE = "This field may not be blank."
SINGLE_LINE_MESSAGE = "Must be a single line: no line breaks, tabs or other control characters."
# Unicode's own line and paragraph separators break a line as "\n" does (they are not Cc).
_LINE_SEPARATORS = frozenset({"\u2028", "\u2029"})


def has_control_characters(value: str) -> bool:
    """Any control character (Unicode category Cc: ``\r``, ``\n``, ``\t``, NUL, DEL, C1...) or
    line separator. A single-line field (subject, name, title) with one would break the headers it
    ends up in: ``"hi\r\nBcc: x@y"`` as a subject made every email of its thread fail."""
    return any(character in _LINE_SEPARATORS or unicodedata.category(character) == "Cc" for character in value)


_CONTROL_RUNS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str) -> str:
    """``value`` with every run of control characters and line breaks turned into one space: for
    a header built from text stored before the single-line rule (an email subject)."""
    return _CONTROL_RUNS.sub(" ", value).strip()


def refuse_control_characters(value: Any) -> None:
    """The single-line rule as a validator, for Django form fields and DRF serializer fields alike
    (``core.forms.SingleLineCharField``, ``core.api.fields.SingleLineCharField``)."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")


def clean_text(
    value: Any,
    *,
    field: str,
    max_length: int | None,
    required: bool = True,
    blank_message: str = BLANK_MESSAGE,
    single_line: bool = False,
) -> str:
    """``value`` stripped, or ``InvalidInput`` on ``field``: not text, NUL characters, blank (when
    ``required``; ``blank_message`` words it for the form it is on), longer than ``max_length``
    (None: the column has no limit), and for a ``single_line`` field (subjects, names, titles) any
    control character or line break inside it. ``None`` is the empty text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("Must be text.", code="invalid", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(blank_message, code="blank", field=field)
    if "\x00" in value:
        raise InvalidInput("Null characters are not allowed.", code="null_characters_not_allowed", field=field)
    if single_line and has_control_characters(value):
        raise InvalidInput(SINGLE_LINE_MESSAGE, code="control_characters", field=field)
    if max_length is not None and len(value) > max_length:
        raise InvalidInput(f"At most {max_length} characters (this has {len(value)}).", code="max_length", field=field)
    return value


def column_max_length(model: type[Model], field_name: str) -> int | None:
    """The ``max_length`` of a model's text column (None for a ``TextField``): the limit a service
    checks before the database would refuse the row (PostgreSQL) or silently keep it (SQLite)."""
    return getattr(model._meta.get_field(field_name), "max_length", None)


PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Placeholders:
    """A placeholder vocabulary: ``names`` (in the order help texts list them) and ``aliases``, old
    names that keep working in templates already written (they render as the name they stand for,
    and are accepted where values are given by name)."""

    names: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def listed(self) -> str:
        """``{customer_name}, {product}, ...``: for help texts and error messages."""
        return ", ".join(f"{{{name}}}" for name in self.names)

    def canonical(self, name: str) -> str | None:
        """The vocabulary's name for ``name`` (itself, or what an alias stands for); None if unknown."""
        if name in self.names:
            return name
        return self.aliases.get(name)

    def render(self, body: str, values: Mapping[str, str]) -> str:
        """``body`` with each known placeholder (or alias) replaced by its value in ``values``
        (keyed by the vocabulary's names); unknown ones and ones without a value stay as written."""

        def substitute(match: re.Match[str]) -> str:
            name = self.canonical(match.group(1))
            return values.get(name, match.group(0)) if name is not None else match.group(0)

        return PLACEHOLDER_RE.sub(substitute, body)

    def check(self, body: str, *, field: str = "body") -> None:
        """Refuse a template that uses a placeholder outside the vocabulary, naming the allowed ones."""
        unknown = sorted({name for name in PLACEHOLDER_RE.findall(body) if self.canonical(name) is None})
        if unknown:
            raise InvalidInput(
                f"Unknown placeholder {', '.join(f'{{{name}}}' for name in unknown)}; use {self.listed}.",
                code="unknown_placeholder",
                field=field,
            )

    def values_by_name(self, given: Iterable[tuple[str, Any]], *, field: str) -> dict[str, Any]:
        """Values given by placeholder name (an alias counts as its name); an unknown name is refused."""
        values: dict[str, Any] = {}
        for name, value in given:
            canonical = self.canonical(name)
            if canonical is None:
                raise InvalidInput(
                    f"Unknown placeholder {name!r}; use {', '.join(self.names)}.",
                    code="unknown_placeholder",
                    field=field,
                )
            values[canonical] = value
        return values

    @staticmethod
    def strip(body: str) -> str:
        """``body`` without its placeholders (for matching a template's own words)."""
        return PLACEHOLDER_RE.sub(" ", body)


# Quick replies said ``{buyer_name}`` where review templates said ``{customer_name}``; one name now
# (the help desk's macros speak of customers too), the old one kept for templates already saved.
PLACEHOLDERS = Placeholders(
    names=("customer_name", "product", "order_number", "seller_name"),
    aliases={"buyer_name": "customer_name"},
)


# How much of a message or review a notification quotes.
NOTICE_PREVIEW_LENGTH = 300
PREVIEW_MIN_SHARE = 0.6  # cut at the last word break unless that would drop more than 40 % of the room


def preview(text: str, limit: int) -> str:
    """``text`` shortened to at most ``limit`` characters for a notification or a list: cut after
    a whole word, with an ellipsis, never in the middle of a word (unless one word fills the room)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = text[: limit - 1]  # one character for the ellipsis
    breaks = [match.start() for match in re.finditer(r"\s", room)]
    ends_a_word = text[limit - 1].isspace()
    if not ends_a_word and breaks and breaks[-1] >= limit * PREVIEW_MIN_SHARE:
        room = room[: breaks[-1]]
    return room.rstrip(" \t\n,;:-") + "…"
