"""The API's JSON of serialized data as plain Python: what a client would ``json.loads`` from the
response. For bodies built outside a request (webhook events show each resource "as the API shows
it"): money stays string decimals, times ISO 8601 as the API's renderer writes them."""

import json
from typing import Any

from rest_framework.renderers import JSONRenderer


def api_json(data: Any) -> Any:
    """``data`` (a serializer's ``.data``) rendered by the API's renderer and read back."""
    return json.loads(JSONRenderer().render(data))
