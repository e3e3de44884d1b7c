"""Who is calling: the one definition of a client's address, used by every limit.

A client is identified by ``REMOTE_ADDR`` (the peer of the socket), or — when the project runs
behind ``TRUSTED_PROXY_COUNT`` reverse proxies that each append the address they saw to
``X-Forwarded-For`` — by the address the farthest trusted proxy put there. Anything a client wrote
into ``X-Forwarded-For`` itself sits to the left of that and is never read, so rotating the header
does not make a new client. DRF's throttles use the same rule (``NUM_PROXIES`` is set from the same
setting, and the project's throttles call ``client_ip``).
"""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import AnonRateThrottle

UNKNOWN_CLIENT = "unknown"


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | Any) -> str:
    """The client's address (normalised), ``"unknown"`` when there is none to read."""
    meta = request.META
    remote = _address(meta.get("REMOTE_ADDR") or "") or UNKNOWN_CLIENT
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    if not hops:
        return remote
    # The last ``proxies`` entries were written by our proxies; the first of those is the client
    # as the outermost proxy saw it (the same position DRF's NUM_PROXIES reads).
    return _address(hops[-min(proxies, len(hops))]) or remote


class ClientIdentMixin:
    """A DRF throttle that identifies anonymous clients by ``client_ip``."""

    def get_ident(self, request: Any) -> str:
        return client_ip(request)


class ClientAnonRateThrottle(ClientIdentMixin, AnonRateThrottle):
    """DRF's anonymous rate, keyed on ``client_ip``."""
