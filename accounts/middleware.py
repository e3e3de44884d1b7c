"""Times in the signed-in person's own time zone (``User.time_zone``), on pages and in the console.

Activated per request and deactivated for everyone else, so a thread serving one user never
leaks their zone into the next request. Stored times stay UTC; the API answers in ISO 8601 with
an offset whatever the zone (DRF's token users are authenticated after this runs: the session's).
"""

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = getattr(getattr(request, "user", None), "time_zone", "")
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                # A zone removed from the tz database since it was chosen: the default, not a 500.
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
