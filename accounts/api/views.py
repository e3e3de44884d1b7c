"""Accounts API: the token endpoint.

- ``POST /auth/token/`` — anyone (throttled per client, ``core.clients.client_ip``: the ``anon`` and
  ``token`` rates; and the login limits per account and client).

The users resource (``/users/``: a user with the stores they belong to, a seller created with its
store) is marketplace's (``marketplace.api.users``).
"""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from accounts.api.serializers import (
    TokenInputSerializer,
    TokenOutputSerializer,
)
from accounts.services.logins import LoginLocked
from accounts.services.tokens import token_expires_at
from accounts.services.users import token_obtain
from core.api.errors import error_responses
from core.clients import ClientIdentMixin
from core.permissions import AllowAnyone


class _LiveRatesMixin:
    """DRF's throttles copy the rates when the class is defined; reading them per request lets a
    settings change (tests, an environment reload) take effect."""

    def get_rate(self) -> str | None:
        scope = getattr(self, "scope", None)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) if scope else None
        return None if rate is None else str(rate)


class TokenAnonRateThrottle(_LiveRatesMixin, ClientIdentMixin, AnonRateThrottle):
    pass


class TokenScopedRateThrottle(_LiveRatesMixin, ClientIdentMixin, ScopedRateThrottle):
    pass


class TokenObtainApi(APIView):
    """Exchange a username and password for the user's API token (valid ``API_TOKEN_TTL`` from
    when it was issued: ``expires_at``). Failed attempts count towards the login limits shared
    with the login pages: a locked account or client is 429 with the time it ends."""

    authentication_classes: list[Any] = []  # the credentials are in the body
    permission_classes = [AllowAnyone]
    throttle_classes = [TokenAnonRateThrottle, TokenScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_create",
        summary="Obtain an API token (username and password)",
        request=TokenInputSerializer,
        responses={200: TokenOutputSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = token_obtain(
                username=serializer.validated_data["username"],
                password=serializer.validated_data["password"],
                now=timezone.now(),
                request=request._request,
            )
        except LoginLocked as locked:
            raise Throttled(wait=locked.seconds_left, detail=locked.message) from locked
        return Response(TokenOutputSerializer({"token": token.key, "expires_at": token_expires_at(token)}).data)
