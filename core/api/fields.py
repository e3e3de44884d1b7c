"""Serializer fields with the API's strict rules."""

from typing import Any

from rest_framework import serializers

from core.ids import MAX_ID
from core.text import refuse_control_characters

__all__ = ["MAX_ID", "IdField", "SingleLineCharField"]


class IdField(serializers.IntegerField):
    """A reference to another record by id: ``core.ids``' rule (``1.5``, ``"1.0"``, ``true``, ``"²"``,
    Arabic-Indic or full-width digits and out-of-range numbers are 400s rather than truncated,
    read as digits or passed to the database)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, (bool, float)):
            self.fail("invalid")
        if isinstance(data, str):
            data = data.strip()
            # Only the digits 0-9, as core.ids reads ids: not "1.0" (DRF would take it as 1), nor
            # digits that ``int`` reads (Arabic-Indic) or raises on ("²").
            if not (data.isascii() and data.isdigit()):
                self.fail("invalid")
        return super().to_internal_value(data)


class SingleLineCharField(serializers.CharField):
    """A subject, name or title: a 400 naming the field for line breaks, tabs and other control
    characters (``core.text.has_control_characters``); multi-line bodies use ``CharField``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(refuse_control_characters)
