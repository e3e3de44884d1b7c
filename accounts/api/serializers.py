"""Input and output serializers of the accounts API.

Input serializers check shape and types only (they never write); the services own the rules.
"""

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role, User

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
