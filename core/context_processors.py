"""Template context every page needs from core."""

from typing import Any

from django.http import HttpRequest

from core.permissions import api_docs_visible_to


def api_docs(request: HttpRequest) -> dict[str, Any]:
    """``show_api_docs``: whether the footer links the API documentation (everyone in development,
    staff in production mode: ``API_DOCS_PUBLIC``)."""
    return {"show_api_docs": api_docs_visible_to(getattr(request, "user", None))}
