from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Each app declares its staff groups' permissions in its own ``roles.py``
        # (``accounts.services.roles``); importing them now surfaces a broken one at start-up.
        autodiscover_modules("roles")
