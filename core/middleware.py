"""Request limits the API answers in its own terms.

DRF reads a JSON body straight from the request stream, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
was never checked for it (and where Django did check, a form body, the answer was the pages' HTML
400). A body declared over the limit is refused here, before any view reads it, with the API's JSON
413.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.views import api_body_too_large, is_api_request


class ApiRequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and is_api_request(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django reads an unreadable length as no body, and so does DRF
            if length > limit:
                return api_body_too_large()
        return self.get_response(request)
