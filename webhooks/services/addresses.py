"""Where a webhook may be sent: never to the platform's own network.

An endpoint URL is checked when it is registered and again at every delivery, against the
addresses its host resolves to *then* (a name that resolved to a public address at registration
may be re-pointed at 127.0.0.1 or 169.254.169.254 later: DNS rebinding). The sender connects to the
address checked here, never resolving the name a second time (``resolve_delivery_target``).

In production (``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` off) only https URLs whose every address is
global are accepted. In development the setting is on, so a receiver on localhost
(``scripts/webhook_receiver.py``) works over plain http.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from core.exceptions import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeAddress(InvalidInput):
    default_code = "unsafe_url"


@dataclass(frozen=True)
class DeliveryTarget:
    """Where to connect (``address``, ``port``) and what to call the host (``host``: the Host
    header and, over https, the name TLS checks the certificate against)."""

    scheme: str
    host: str
    port: int
    address: str
    path: str  # path and query, as in the URL ("/" when empty)


def _is_allowed(address: IPAddress) -> bool:
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeAddress("Enter a valid URL.", field="url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("Enter an http or https URL with a host.", field="url")
    if scheme != "https" and not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        raise UnsafeAddress("Webhook URLs must use https.", field="url")
    if parts.username or parts.password:
        raise UnsafeAddress("Put no user name or password in the URL; the signature authenticates us.", field="url")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeAddress(f"The host {host!r} could not be resolved.", field="url") from None
    addresses: list[IPAddress] = []
    for info in infos:
        try:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        except ValueError:
            continue
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeAddress(f"The host {host!r} has no address.", field="url")
    return addresses


def endpoint_url_check(url: str) -> None:
    """Refuse (``UnsafeAddress``, 400 on ``url``) a URL we must not send to. Every address the host
    resolves to must be allowed: a name with one private address among public ones is refused."""
    _scheme, host, port, _path = _split(url)
    for address in _resolve(host, port):
        if not _is_allowed(address):
            raise UnsafeAddress(
                "This URL points into a private, loopback or link-local network; webhooks go to public addresses.",
                field="url",
            )


def resolve_delivery_target(url: str) -> DeliveryTarget:
    """Resolve ``url`` now and return the address to connect to; ``UnsafeAddress`` when any address
    it resolves to is not allowed (checked at every delivery, against DNS rebinding)."""
    scheme, host, port, path = _split(url)
    addresses = _resolve(host, port)
    for address in addresses:
        if not _is_allowed(address):
            raise UnsafeAddress("The endpoint's host now resolves into a private network.", field="url")
    return DeliveryTarget(scheme=scheme, host=host, port=port, address=str(addresses[0]), path=path)
