"""Accounts in the moderators' console: Django's admin autodiscovery imports this package and
``users`` registers the users' page."""

from accounts.admin import users  # noqa: F401  (register the admin)
