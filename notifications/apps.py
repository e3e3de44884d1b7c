from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Each app registers the kinds it sends in its own ``notices.py`` (``register_kinds``):
        # all of them are known before the console or the API lists a notification.
        autodiscover_modules("notices")
