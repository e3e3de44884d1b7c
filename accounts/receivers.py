"""Django's login signals, counted by the login limits (``accounts.services.logins``): every
surface's failed ``authenticate`` — the login page, the console's, the API token endpoint."""

from typing import Any

from django.utils import timezone

from accounts.services.logins import login_failed, login_succeeded
from core.clients import client_ip


def count_failed_login(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = credentials.get("username")
    login_failed(
        username=username if isinstance(username, str) else None,
        client=client_ip(request) if request is not None else None,
        now=timezone.now(),
    )


def clear_failed_logins(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    login_succeeded(username=user.get_username())
