"""OpenAPI post-processing: document the error answers every operation can give.

Every API view can answer 400 (bad input: body, query parameters such as ``page=0``), 401 (no
credentials), 403 (role), 404 (unknown or invisible record, out-of-range page) and 429 (throttled)
through the shared exception handler. Views document the ones specific to them; this hook fills in
the rest so the schema tells integrators (and the fuzzer checks) the whole truth. Every write also
takes the ``Idempotency-Key`` header (core/idempotency.py), with its 409 and 422.
"""

from typing import Any

from core.api.throttling import WRITE_METHODS

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` (and a machine-readable `code`) or field errors `{field: [messages]}`.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Bad input: field errors `{field: [messages]}`, `non_field_errors` or `detail`.",
    "401": "No or invalid credentials.",
    "403": "The caller's role may not take this action.",
    "404": "No such record, or the caller may not see it.",
    "429": "Throttled: too many requests.",
}
METHODS = {"get", "post", "put", "patch", "delete"}
IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "Any unique string (1-255 visible ASCII characters) chosen by the client. A repeat with the same key, "
        "method, path and body within `API_IDEMPOTENCY_TTL` (24 hours by default) answers with the first "
        "(2xx) result, marked `Idempotent-Replayed: true`, and changes nothing; the same key with a "
        "different request is a 422. Keys are per user."
    ),
    "schema": {"type": "string", "maxLength": 255},
}
WRITE_DESCRIPTIONS = {
    "409": "The record's state does not allow the action, or a request with this Idempotency-Key is still running.",
    "415": "The request body's media type is not one the endpoint reads (JSON, form or multipart).",
    "422": "The Idempotency-Key was already used for a different request.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ApiError", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/ApiError"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            descriptions = dict(DESCRIPTIONS)
            if method.upper() in WRITE_METHODS:
                descriptions.update(WRITE_DESCRIPTIONS)
                parameters = operation.setdefault("parameters", [])
                if not any(parameter.get("name") == IDEMPOTENCY_PARAMETER["name"] for parameter in parameters):
                    parameters.append(dict(IDEMPOTENCY_PARAMETER))
            for status, description in descriptions.items():
                if status not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    }
    return result
