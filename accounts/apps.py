from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Each app declares its staff groups' permissions in its own ``roles.py``
        # (``accounts.services.roles``); importing them now surfaces a broken one at start-up.
        autodiscover_modules("roles")
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import receivers

        user_login_failed.connect(receivers.count_failed_login, dispatch_uid="accounts.count_failed_login")
        user_logged_in.connect(receivers.clear_failed_logins, dispatch_uid="accounts.clear_failed_logins")
