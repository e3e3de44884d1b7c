"""Accounts' links in the header (``core.navigation``): the console for staff (where they land)
and the API docs for integration clients."""

from typing import Any

from accounts.models import Role
from core.navigation import NavLink, register_nav_link

# Staff roles that work in the moderators' console. Integration users are API clients; they have
# is_staff through their group, so they land in the console too, where their tokens are managed.
CONSOLE_ROLES = frozenset({Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.ADMIN})


def is_console_user(user: Any) -> bool:
    return bool(user.is_superuser or user.is_staff or user.role in CONSOLE_ROLES)


register_nav_link(NavLink("Console", "admin:index", position=50, shown_to=is_console_user, landing=10))
register_nav_link(
    NavLink(
        "API docs",
        "api-docs",
        position=60,
        shown_to=lambda user: bool(user.role == Role.INTEGRATION or user.is_superuser),
    )
)
