"""Limits on the feedback endpoints anyone can reach: the survey links (no login) and the
feedback log. Counted per client address (``core.clients.client_ip``), or per user when logged
in for the log; the rates are settings (``FEEDBACK_SURVEY_RATE``, ``FEEDBACK_LOG_RATE``) read per
request. The feedback page calls the same class (``allow_request`` reads only the user and the
address), so the page and the API share one budget."""

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.clients import client_ip


class _SettingRateThrottle(SimpleRateThrottle):
    setting = ""
    per_user = False

    def __init__(self) -> None:  # the rate is read per request, not when the class is defined
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allows(self, request: Any) -> bool:
        """For a page (a Django request, no DRF view): whether this request may go on."""
        return bool(self.allow_request(request, view=None))  # type: ignore[arg-type]

    def get_rate(self) -> str:
        return str(getattr(settings, self.setting))

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        if self.per_user and user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{client_ip(request)}"
        return f"throttle_{self.scope}_{ident}"


class SurveyTokenThrottle(_SettingRateThrottle):
    scope = "feedback_survey"
    setting = "FEEDBACK_SURVEY_RATE"


class FeedbackLogThrottle(_SettingRateThrottle):
    scope = "feedback_log"
    setting = "FEEDBACK_LOG_RATE"
    per_user = True
