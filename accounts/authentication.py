"""API authentication: DRF's token, with an expiry (``API_TOKEN_TTL`` after it was issued)."""

from typing import Any

from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.services.tokens import token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; an expired or revoked token is 401."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token, now=timezone.now()):
            raise AuthenticationFailed("Token has expired: request a new one at /api/v1/auth/token/.")
        return user, token
