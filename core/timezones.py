"""A moment as a person reads it: in the active time zone (the signed-in person's own,
``accounts.middleware.UserTimeZoneMiddleware``) with the zone's abbreviation, so "14:05" always
says which 14:05. For console columns and notes built in Python; templates use ``|date:"… T"``."""

from datetime import datetime, tzinfo

from django.utils import timezone


def local_time_text(moment: datetime, fmt: str = "%Y-%m-%d %H:%M", *, tz: tzinfo | None = None) -> str:
    """``tz``: the active zone when the caller has it already (a list's rows: looking it up is
    most of the cost)."""
    local = moment.astimezone(tz) if tz is not None else timezone.localtime(moment)
    return f"{local:{fmt}} {local.tzname()}"
