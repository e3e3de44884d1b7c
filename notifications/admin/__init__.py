"""Notifications in the moderators' console: Django's admin autodiscovery imports this package and
``notifications`` registers the log of notifications and the users' preferences."""

from notifications.admin import notifications, preferences  # noqa: F401  (register the admins)
