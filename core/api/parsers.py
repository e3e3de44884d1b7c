"""The API's JSON parser: DRF's, refusing two documents that are valid JSON but no valid input.

- Nesting deeper than ``API_JSON_MAX_DEPTH`` (arrays and objects): about 950 levels made
  ``json.load`` (or whatever walked the result next) hit Python's recursion limit, a 500 on every
  JSON endpoint, the anonymous token endpoint included. No request of this API nests more than a few
  levels, so the depth is counted on the raw text before anything is parsed.
- A lone surrogate (``"\\ud800"``, half of a UTF-16 pair): JSON allows the escape, but the text is
  not Unicode. It could not be encoded back: a choice field's error message that quotes the value
  failed to render (a 500), and a text field's value fails PostgreSQL's UTF-8 encoding. Refused
  here, for every field at once.

Both are a 400 ``{"detail": ..., "code": "parse_error"}`` like any malformed JSON.
"""

import codecs
import json
import re
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

# A JSON string (escapes included), so brackets inside strings are not counted as nesting.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# The only way a surrogate gets into the parsed text is an escape (UTF-8 cannot carry one).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in the JSON ``text`` (strings are skipped)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _has_lone_surrogate(data: Any) -> bool:
    """Whether any string (key or value) in the parsed document holds a lone surrogate; the
    document is at most ``API_JSON_MAX_DEPTH`` deep, and walked without recursion anyway."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"JSON parse error - {error}") from error
        max_depth: int = settings.API_JSON_MAX_DEPTH
        if json_depth(text) > max_depth:
            raise ParseError(f"JSON parse error - nested deeper than {max_depth} levels.")
        try:
            parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
        if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
            raise ParseError(
                "JSON parse error - a string holds a lone surrogate (half of a UTF-16 pair), which is not text."
            )
        return data
