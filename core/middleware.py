"""Outside input refused at the edge, before any view reads it, in the terms of whoever asked.

- An API body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: DRF reads a JSON body straight from the
  request stream, so Django's limit was never checked for it (and where Django did check, a form
  body, the answer was the pages' HTML 400). A body declared larger is the API's JSON 413.
- A NUL character in the query string: PostgreSQL refuses it in text, so any filter, search or
  lookup that passed one on was a 500 (nine console list pages' filters did). No page or endpoint
  reads one, so it is a 400 naming the parameter, everywhere at once.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.exceptions import BadParameter
from core.views import api_body_too_large, handler400, is_api_request

NUL = "\x00"


class InputLimitsMiddleware:
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
        for name, values in request.GET.lists():
            if NUL in name or any(NUL in value for value in values):
                error = BadParameter(
                    "Null characters are not allowed.",
                    code="null_characters_not_allowed",
                    field=name.replace(NUL, "\\x00"),
                )
                return handler400(request, error)  # the API's JSON or the page, as for any 400
        return self.get_response(request)
