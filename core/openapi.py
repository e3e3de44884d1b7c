"""OpenAPI post-processing: document the error answers every operation can give.

Every API view can answer 400 (bad input: body, query parameters such as ``page=0``), 401 (no
credentials), 403 (role), 404 (unknown or invisible record, out-of-range page) and 429 (throttled)
through the shared exception handler. Views document the ones specific to them; this hook fills in
the rest so the schema tells integrators (and the fuzzer checks) the whole truth.
"""

from typing import Any

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


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ApiError", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/ApiError"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in DESCRIPTIONS.items():
                if status not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    }
    return result
