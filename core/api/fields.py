"""Serializer fields with the API's strict rules."""

from typing import Any

from rest_framework import serializers

from core.text import refuse_control_characters

# The largest id a record can have (PostgreSQL's bigint): anything above is "no such record".
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A reference to another record by id: a positive 64-bit integer (``1.5``, ``true`` and
    out-of-range numbers are 400s rather than silently truncated or passed to the database)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, (bool, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class SingleLineCharField(serializers.CharField):
    """A subject, name or title: a 400 naming the field for line breaks, tabs and other control
    characters (``core.text.has_control_characters``); multi-line bodies use ``CharField``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(refuse_control_characters)
