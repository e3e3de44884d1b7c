"""Content negotiation that offers the browsable API (DRF's HTML renderer) only when
``API_BROWSABLE`` is on (development by default): in production mode every API answer is JSON."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer
from rest_framework.request import Request


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> Any:
        offered = list(renderers)
        if not settings.API_BROWSABLE:
            offered = [renderer for renderer in offered if not isinstance(renderer, BrowsableAPIRenderer)] or offered
        return super().select_renderer(request, offered, format_suffix)
