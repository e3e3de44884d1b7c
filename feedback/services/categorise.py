"""Categorising a survey answer or a feedback entry: the customer's choice where given, else the
keyword rules staff keep in the console (``CategoryRule``).

A rule matches when its keyword (a word or a phrase) appears in the text as whole words,
whatever the case and however the words are spaced: "refund" matches "Refund please" but not
"refunded"; "delivery time" matches "delivery\\n time". The active rules are read in ``position``
order: the first matching rule that names a category categorises the text; any matching rule that
marks a feature request marks it, whoever chose the category.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.exceptions import InvalidInput
from feedback.models import Category, CategoryRule, CategorySource


@dataclass(frozen=True)
class Categorisation:
    category: str
    source: str
    is_feature_request: bool


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Whole words, case-insensitive, any run of white space between the keyword's words."""
    words = [re.escape(word) for word in keyword.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def rules_active() -> list[CategoryRule]:
    return list(CategoryRule.objects.filter(is_active=True).order_by("position", "id"))


def categorise(*texts: str, chosen: str = "", rules: Sequence[CategoryRule] | None = None) -> Categorisation:
    """The category of ``texts`` (the customer's ``chosen`` one if any). ``rules``: the active
    rules, when the caller has read them already (one query per call otherwise)."""
    if rules is None:
        rules = rules_active()
    text = "\n".join(part for part in texts if part)
    matching = _matching(rules, text) if text else []
    is_feature_request = any(rule.marks_feature_request for rule in matching)
    if chosen:
        return Categorisation(category=chosen, source=CategorySource.USER, is_feature_request=is_feature_request)
    for rule in matching:
        if rule.category:
            return Categorisation(
                category=rule.category, source=CategorySource.RULE, is_feature_request=is_feature_request
            )
    return Categorisation(category="", source=CategorySource.NONE, is_feature_request=is_feature_request)


def _matching(rules: Iterable[CategoryRule], text: str) -> list[CategoryRule]:
    return [rule for rule in rules if keyword_pattern(rule.keyword).search(text)]


def category_clean(value: object, *, field: str = "category") -> str:
    """A category the customer chose: one of ``Category`` or blank (``InvalidInput`` otherwise)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or value not in Category.values:
        choices = ", ".join(Category.values)
        raise InvalidInput(f"Must be one of: {choices} (or blank).", code="invalid_choice", field=field)
    return value
