"""The login limits' guard in Django's authentication chain (first in AUTHENTICATION_BACKENDS): a
locked account or client is refused by ``authenticate`` itself, whichever surface asks
(``accounts.services.logins``). The login forms and the token endpoint check first, to say why."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from accounts.services.logins import login_lockout
from core.clients import client_ip


class LoginLimitBackend:
    def authenticate(self, request: HttpRequest | None, username: str | None = None, **credentials: Any) -> None:
        client = client_ip(request) if request is not None else None
        if login_lockout(username=username, client=client, now=timezone.now()) is not None:
            raise PermissionDenied("locked out")  # stops authenticate: no other backend is asked
        return None

    # No ``get_user``: this backend never logs anyone in, so Django never records it in a session.
