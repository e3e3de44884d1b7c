"""Per-user limits on API writes (``DEFAULT_THROTTLE_CLASSES``): 429 with ``Retry-After``.

A logged-in caller's POST, PUT, PATCH and DELETE requests are counted per user (not per client
address: one account is one budget wherever it connects from), over two windows — a burst (per
minute) and a sustained rate (per hour) — so one buyer cannot open sixty conversations with a seller
in ten seconds, nor keep doing it all afternoon. Refused requests are not counted; reads are not
counted here; anonymous callers are the ``anon`` rate's business.

The rates are settings (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, from the environment):
``write_burst`` / ``write_sustained`` for people, and ``integration_write_burst`` /
``integration_write_sustained`` for machine accounts (role ``integration``), which push whole
catalogues and order books. A scope without a rate is not limited.
"""

import contextlib
import time
from typing import Any

from django.core.cache import cache as default_cache
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

# The HTTP methods that write: what this limit, the Idempotency-Key (core.idempotency) and the
# schema's write responses (core.openapi) apply to.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MACHINE_ROLES = frozenset({"integration"})


DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/minute"`` → (20, 60): DRF's rate syntax (the period's first letter counts)."""
    count, period = rate.split("/")
    return int(count), DURATIONS[period[0]]


class UserWriteThrottle(BaseThrottle):
    """Counts an authenticated user's writes in each window with the cache's atomic ``incr`` (so
    concurrent requests cannot slip past the limit together, as a read-then-write history can).
    Windows are fixed (the minute, the hour): at a boundary at most twice a rate can pass. A refused
    request is taken back out of every window it was counted in, so a flood waits out the window
    that refused it, not the hour, unless the hour itself is spent."""

    cache = default_cache
    windows = ("burst", "sustained")

    def __init__(self) -> None:
        self.wait_seconds: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        if request.method not in WRITE_METHODS or not (user and user.is_authenticated):
            return True
        prefix = "integration_write" if getattr(user, "role", None) in MACHINE_ROLES else "write"
        now = time.time()
        counted: list[str] = []
        waits: list[float] = []
        for window in self.windows:
            scope = f"{prefix}_{window}"
            rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
            if rate is None:
                continue
            limit, duration = parse_rate(str(rate))
            bucket = int(now // duration)
            key = f"throttle_{scope}_{user.pk}_{bucket}"
            self.cache.add(key, 0, duration + 1)
            try:
                count = self.cache.incr(key)
            except ValueError:  # expired between add and incr
                self.cache.add(key, 1, duration + 1)
                count = 1
            counted.append(key)
            if count > limit:
                waits.append((bucket + 1) * duration - now)
        if not waits:
            return True
        for key in counted:
            with contextlib.suppress(ValueError):
                self.cache.decr(key)
        self.wait_seconds = max(waits)
        return False

    def wait(self) -> float | None:
        return self.wait_seconds
