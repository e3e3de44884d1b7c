"""Small helpers shared by the reviews services: text cleaning and recipients."""

from typing import Any

from django.conf import settings

from accounts.models import User
from accounts.selectors.users import staff_in_groups
from core.exceptions import InvalidInput
from marketplace.selectors.scoping import seller_members_by_seller


def clean_text(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """Stripped text or ``InvalidInput`` on ``field`` (not text, blank, NUL, too long)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("Must be text.", code="invalid", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput("This field may not be blank.", code="blank", field=field)
    if "\x00" in value:
        raise InvalidInput("Text cannot contain NUL characters.", code="invalid", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"At most {max_length} characters.", code="max_length", field=field)
    return value


def clean_body(value: Any, *, field: str = "body") -> str:
    return clean_text(value, field=field, max_length=settings.REVIEWS_BODY_MAX_LENGTH)


def seller_members(seller_id: int) -> list[User]:
    return seller_members_by_seller([seller_id]).get(seller_id, [])


def alert_staff() -> list[User]:
    return staff_in_groups(*settings.REVIEWS_ALERT_GROUPS)


def senior_support() -> list[User]:
    return staff_in_groups(*settings.REVIEWS_SENIOR_SUPPORT_GROUPS)


def moderators() -> list[User]:
    return staff_in_groups("moderator")
