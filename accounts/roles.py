"""What each staff group may do with accounts' records (see ``accounts.services.roles``: every
app declares its own groups' permissions in a ``roles.py`` like this one)."""

ROLE_PERMISSIONS: dict[str, list[str]] = {
    "support": ["accounts.view_user"],
    "moderator": ["accounts.view_user"],
    "finance": ["accounts.view_user"],
    # The API client of another system creates buyers and sellers.
    "integration": ["accounts.view_user", "accounts.add_user"],
}
