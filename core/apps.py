from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Each app registers its periodic sweeps in its own `sweeps.py`, its header links and
        # landing page in its own `navigation.py`.
        autodiscover_modules("sweeps")
        autodiscover_modules("navigation")
        from core import idempotency  # noqa: F401 (registers its purge sweep)
