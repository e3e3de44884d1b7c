"""The project's own configuration of Django's admin: the moderators' console runs on
``core.console.ConsoleSite`` (``INSTALLED_APPS`` names this instead of ``django.contrib.admin``)."""

from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    default_site = "core.console.ConsoleSite"
