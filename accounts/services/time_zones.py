"""A user's own time zone: pages and the console show times in it (stored times stay UTC)."""

import zoneinfo
from functools import cache

from django.db import transaction

from accounts.models import User
from core.exceptions import InvalidInput


@cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA zones a user may choose, sorted; read once (the list comes from the tz database)."""
    return tuple(sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC"))


def user_set_time_zone(*, user: User, time_zone: str) -> User:
    """``time_zone`` an IANA name, or "" for the platform's default (``settings.TIME_ZONE``)."""
    time_zone = time_zone.strip()
    if time_zone and time_zone not in time_zone_names():
        raise InvalidInput(
            f"{time_zone!r} is not a time zone we know: choose one from the list (e.g. Europe/Berlin).",
            code="unknown_time_zone",
            field="time_zone",
        )
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone
    return user
