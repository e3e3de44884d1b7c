"""API authentication: DRF's token, with an expiry (``API_TOKEN_TTL`` after it was issued).

The token and its user are read by one written-out statement: DRF builds
``Token.objects.select_related("user").get(key=key)`` through the ORM on every API request, about
0.65 ms of CPU (a fifth of an order list page's Python time at 16 concurrent clients); the same
statement as a raw query costs less than half. Behaviour is DRF's: the same 401 messages,
``request.user`` the token's user, ``request.auth`` its token.
"""

from functools import cache
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import User
from accounts.services.tokens import token_expired


@cache
def _token_user_sql(token_table: str) -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT u.*, t.created AS token_created FROM {quote(User._meta.db_table)} u "  # noqa: S608
        f"JOIN {quote(token_table)} t ON t.user_id = u.id WHERE t.key = %s"
    )


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; an expired or revoked token is 401."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        model = self.get_model()
        user = next(iter(User.objects.raw(_token_user_sql(model._meta.db_table), [key])), None)
        if user is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        created = user.__dict__.pop("token_created")
        # A raw query's extra column gets no field converter: SQLite's datetimes need theirs
        # (PostgreSQL's driver already gives an aware datetime).
        convert = getattr(connection.ops, "convert_datetimefield_value", None)
        if convert is not None:
            created = convert(created, None, connection)
        token = cast(Token, model.from_db(DEFAULT_DB_ALIAS, ["key", "user_id", "created"], [key, user.pk, created]))
        token.user = user
        if token_expired(token, now=timezone.now()):
            raise AuthenticationFailed("Token has expired: request a new one at /api/v1/auth/token/.")
        return user, token
