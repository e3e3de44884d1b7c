"""The error bodies every API module documents in its OpenAPI operations.

The bodies themselves come from one place, ``core.exceptions.api_exception_handler``: field errors
``{field: [messages]}`` for bad input (400), ``{detail, code}`` for the rest.
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """401 / 403 / 404 / 409 / 410 / 429 body; domain errors also carry a machine-readable ``code``."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


ERROR_DESCRIPTIONS = {
    400: "Bad input: `{field: [messages], ...}` (field errors, `non_field_errors` or `detail`).",
    401: "No or invalid credentials.",
    403: "The caller's role may not take this action on a record it can see.",
    404: "No such record, or the caller may not see it.",
    409: "The record's state does not allow the action.",
    410: "The record is no longer usable (e.g. an expired link).",
    429: "Throttled: too many requests.",
}


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """``responses={**error_responses(400, 404)}`` documents the error bodies of an operation."""
    responses: dict[int, OpenApiResponse] = {}
    for status_code in status_codes:
        body: Any = OpenApiTypes.OBJECT if status_code == 400 else ErrorSerializer
        responses[status_code] = OpenApiResponse(response=body, description=ERROR_DESCRIPTIONS[status_code])
    return responses
