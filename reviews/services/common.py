"""Small helpers shared by the reviews services: text cleaning and recipients."""

from typing import Any

from django.conf import settings

from accounts.models import User
from accounts.selectors.users import staff_in_groups
from core.text import clean_text
from marketplace.selectors.scoping import seller_members_by_seller


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
