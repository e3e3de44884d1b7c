"""API tokens' lifetime and revocation (DRF's ``Token``, one per user; issued by
``accounts.services.users.token_obtain``). A token is refused (401) ``API_TOKEN_TTL`` after it was
issued (``accounts.authentication``); revoking deletes it. Imports nothing of the API layer: the
authentication class loads with DRF's settings."""

from datetime import datetime

from django.conf import settings
from rest_framework.authtoken.models import Token

from accounts.models import User


def token_expires_at(token: Token) -> datetime:
    return token.created + settings.API_TOKEN_TTL


def token_expired(token: Token, *, now: datetime) -> bool:
    return token_expires_at(token) <= now


def tokens_revoke(*, user: User) -> int:
    """Revoke the user's API token: the next call with it is 401. Returns how many were revoked."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
