"""core.clients.client_ip: the one definition of "the client" behind every limit."""

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core.clients import client_ip


def _request(remote: str = "198.51.100.7", forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_ip(_request(forwarded="10.9.1.1")) == "198.51.100.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_trusted_proxy_its_entry_is_the_client() -> None:
    assert client_ip(_request(remote="10.0.0.2", forwarded="1.2.3.4, 203.0.113.9")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_trusted_proxies_the_outer_ones_entry_is_the_client() -> None:
    assert client_ip(_request(remote="10.0.0.2", forwarded="1.2.3.4, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
@pytest.mark.parametrize("forwarded", ["", " , ", "not-an-address", "999.1.1.1"])
def test_a_missing_or_malformed_entry_falls_back_to_the_peer(forwarded: str) -> None:
    assert client_ip(_request(remote="10.0.0.2", forwarded=forwarded)) == "10.0.0.2"


@override_settings(TRUSTED_PROXY_COUNT=3)
def test_fewer_entries_than_proxies_reads_the_first() -> None:
    assert client_ip(_request(remote="10.0.0.2", forwarded="203.0.113.9")) == "203.0.113.9"


def test_addresses_are_normalised() -> None:
    assert client_ip(_request(remote="2001:DB8:0:0::1")) == "2001:db8::1"


def test_no_peer_is_unknown() -> None:
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) == "unknown"


def test_every_default_api_throttle_identifies_the_client_by_client_ip() -> None:
    """Rotating X-Forwarded-For does not make a new client for DRF's default throttles either."""
    drf_request = Request(_request(forwarded="10.9.77.1"))
    for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
        throttle = throttle_class()
        assert isinstance(throttle, SimpleRateThrottle)
        assert throttle.get_ident(drf_request) == "198.51.100.7"


def test_drf_num_proxies_follows_the_setting() -> None:
    from django.conf import settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
