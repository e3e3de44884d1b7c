"""The users API (``/api/v1/users/``): a user with the stores they belong to; a seller account is
created with its store (``user_create_with_store``).

- ``POST /users/`` — admins any role; integration accounts (``accounts.add_user``) buyers and
  sellers only (a staff role is 403, ``accounts.services.users.user_create_check``).
- ``GET /users/`` — staff with ``accounts.view_user`` (the integration client: buyers and sellers
  only, ``accounts.selectors.users.user_list``); ``GET /users/<id>/`` — those staff for
  anyone, everyone else for themselves only (another id is a 404); ``GET /users/me/`` — anyone
  logged in.

Input serializers check shape and types only (they never write); the services own the rules.
"""

import django_filters
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, User
from accounts.selectors.users import user_list, user_list_self
from core.api.errors import error_responses
from core.api.fields import SingleLineCharField
from core.api.filters import FilterBackend, SafeSearchFilter, StableOrderingFilter
from core.api.routers import IdRouter
from core.permissions import HasRolePermission
from marketplace.services.catalog import user_create_with_store

# Roles the API may create. Staff roles are for admins only (checked by the service); ``admin``
# accounts are made with ``createsuperuser``, never over the API.
CREATABLE_ROLES = [Role.BUYER, Role.SELLER, Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.INTEGRATION]


class UserCreateInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True)
    role = serializers.ChoiceField(choices=[(role.value, role.label) for role in CREATABLE_ROLES])
    store_name = SingleLineCharField(
        max_length=200, required=False, allow_blank=True, help_text="Required when role is `seller`."
    )
    first_name = SingleLineCharField(max_length=150, required=False, allow_blank=True)
    last_name = SingleLineCharField(max_length=150, required=False, allow_blank=True)


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


def _with_sellers(queryset: QuerySet[User]) -> QuerySet[User]:
    # The user serializer shows each user's sellers: two extra queries for the whole page.
    return queryset.prefetch_related("seller_memberships__seller")


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]


@extend_schema_view(
    list=extend_schema(responses={200: UserOutputSerializer(many=True), **error_responses(400, 401, 403)}),
    retrieve=extend_schema(responses={200: UserOutputSerializer, **error_responses(401, 404)}),
)
class UserViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions = {"create": "accounts.add_user", "list": "accounts.view_user"}
    serializer_class = UserOutputSerializer
    filterset_class = UserFilter
    filter_backends = [FilterBackend, SafeSearchFilter, StableOrderingFilter]
    search_fields = ["username", "email"]
    ordering_fields = ["id", "username", "created_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[User]:
        return _with_sellers(user_list(actor=self.request.user))  # type: ignore[arg-type]

    @extend_schema(
        request=UserCreateInputSerializer,
        responses={201: UserOutputSerializer, **error_responses(400, 401, 403)},
        description="Create a user. Role `seller` needs `store_name` and creates the store with the user as "
        "owner; staff roles join the group of that name. Only admins create staff roles (`support`, `moderator`, "
        "`finance`, `integration`); an integration client creates buyers and sellers (others 403).",
    )
    def create(self, request: Request) -> Response:
        serializer = UserCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create_with_store(actor=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        created = _with_sellers(user_list_self(actor=user)).get()
        return Response(UserOutputSerializer(created).data, status=status.HTTP_201_CREATED)

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(UserOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(UserOutputSerializer(self.get_object()).data)

    @extend_schema(
        responses={200: UserOutputSerializer, **error_responses(401)},
        description="The caller's own record, with the sellers they belong to.",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def me(self, request: Request) -> Response:
        own = _with_sellers(user_list_self(actor=request.user)).get()  # type: ignore[arg-type]
        return Response(UserOutputSerializer(own).data)


router = IdRouter()
router.register("users", UserViewSet, basename="users")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
