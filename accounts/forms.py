"""The login forms (the site's and the console's): Django's, with the login limits checked first
(``accounts.services.logins``), so a locked account or client is told when it may try again."""

from typing import Any, cast

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from accounts.services.logins import LoginLocked, login_check
from core.clients import client_ip


class LoginLimitMixin:
    request: Any
    data: Any
    locked = False

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username") if self.data else None
        try:
            login_check(
                username=username if isinstance(username, str) else None,
                client=client_ip(self.request) if self.request is not None else None,
                now=timezone.now(),
            )
        except LoginLocked as locked:
            self.locked = True
            raise forms.ValidationError(locked.message, code="locked") from locked
        return super().clean()  # type: ignore[misc]


class LoginForm(LoginLimitMixin, AuthenticationForm):
    pass


class AdminLoginForm(LoginLimitMixin, AdminAuthenticationForm):
    pass


class TimeZoneForm(forms.Form):
    """The account page's time zone: every time on the pages and in the console is shown in it."""

    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text="Pages and the console show every time in this zone, with its abbreviation.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        from accounts.services.time_zones import time_zone_names

        super().__init__(*args, **kwargs)
        default = f"The platform's default ({settings.TIME_ZONE})"
        field = cast(forms.ChoiceField, self.fields["time_zone"])
        field.choices = [
            ("", default),
            *((name, name.replace("_", " ")) for name in time_zone_names()),
        ]
