"""Notifications in the moderators' console: Django's admin autodiscovery imports this package and
``notifications`` registers the log of notifications."""

from notifications.admin import notifications  # noqa: F401  (register the admin)
