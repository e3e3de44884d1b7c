"""Input and output serializers of the accounts API, and the error bodies every API module documents.

Input serializers check shape and types only (they never write); the services own the rules.
"""

from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from accounts.models import Role, User

# --- Error bodies, for the OpenAPI schema (shared by every API module) ------------------------


class ErrorSerializer(serializers.Serializer):
    """401 / 403 / 404 / 409 / 429 body; domain errors also carry a machine-readable ``code``."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """``responses={**error_responses(400, 404)}`` documents the error bodies of an operation."""
    descriptions = {
        400: "Bad input: `{field: [messages], ...}` (field errors, `non_field_errors` or `detail`).",
        401: "No or invalid credentials.",
        403: "The caller's role may not take this action on a record it can see.",
        404: "No such record, or the caller may not see it.",
        409: "The record's state does not allow the action.",
        429: "Throttled: too many requests.",
    }
    responses: dict[int, OpenApiResponse] = {}
    for status_code in status_codes:
        body: Any = OpenApiTypes.OBJECT if status_code == 400 else ErrorSerializer
        responses[status_code] = OpenApiResponse(response=body, description=descriptions[status_code])
    return responses


# --- Strict ids -------------------------------------------------------------------------------

MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A reference to another record by id: a positive 64-bit integer (``1.5``, ``true`` and
    out-of-range numbers are 400s rather than silently truncated or passed to the database)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, (bool, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Token ------------------------------------------------------------------------------------


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


# --- Users ------------------------------------------------------------------------------------

# Roles the API may create. ``integration`` is for admins only (checked by the service); ``admin``
# accounts are made with ``createsuperuser``, never over the API.
CREATABLE_ROLES = [Role.BUYER, Role.SELLER, Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.INTEGRATION]


class UserCreateInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    role = serializers.ChoiceField(choices=[(role.value, role.label) for role in CREATABLE_ROLES])
    store_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Required when role is `seller`."
    )
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class UserSellerSerializer(serializers.Serializer):
    """One of the sellers the user is a member of (from a prefetched membership)."""

    id = serializers.IntegerField(source="seller.id")
    name = serializers.CharField(source="seller.name")
    slug = serializers.CharField(source="seller.slug")
    role = serializers.CharField(help_text="The user's role in this seller: `owner` or `member`.")


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField(help_text="Email address; empty when none is on file.")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    is_active = serializers.BooleanField()
    seller = serializers.SerializerMethodField(
        help_text="The seller the user owns (or else first belongs to); null for non-sellers."
    )
    sellers = UserSellerSerializer(source="seller_memberships.all", many=True)
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_seller(self, user: User) -> int | None:
        # Works on the prefetched memberships: no query per user.
        memberships = list(user.seller_memberships.all())
        owned = [membership for membership in memberships if membership.role == "owner"]
        chosen = owned or memberships
        return chosen[0].seller_id if chosen else None
