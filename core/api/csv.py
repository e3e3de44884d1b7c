"""CSV downloads in the API: the view returns the CSV itself (an ``HttpResponse`` or a stream);
``CsvRenderer`` only declares ``text/csv`` for the schema, and ``JsonErrorsMixin`` renders every
DRF answer of the view (its 400/401/404 errors) as JSON, even for a client that asked for
``text/csv`` only (``Accept`` or ``?format=csv``): errors are documented as JSON."""

from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return JSONRenderer().render(data)


class JsonErrorsMixin:
    """For a view whose success body is a CSV it builds itself and whose errors are JSON."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        return JSONRenderer(), JSONRenderer.media_type
