from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.urls import register_converter

        from core.ids import IdConverter

        # ``<id:pk>`` in every app's routes (the URLconf is read after every app is ready).
        register_converter(IdConverter, "id")
        # Each app registers its periodic sweeps in its own `sweeps.py`, its header links and
        # landing page in its own `navigation.py`.
        autodiscover_modules("sweeps")
        autodiscover_modules("navigation")
        # ... and its sections of the moderators' console in its own `console_navigation.py`.
        autodiscover_modules("console_navigation")
        from core import idempotency  # noqa: F401 (registers its purge sweep)
