"""Accounts API: the token endpoint and users.

- ``POST /auth/token/`` — anyone (throttled per client: the ``anon`` and ``token`` rates).
- ``POST /users/`` — admins and integration accounts (``accounts.add_user``).
- ``GET /users/`` — staff with ``accounts.view_user``; ``GET /users/<id>/`` — those staff for
  anyone, everyone else for themselves only (another id is a 404); ``GET /users/me/`` — anyone
  logged in.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from accounts.api.serializers import (
    TokenInputSerializer,
    TokenOutputSerializer,
    UserCreateInputSerializer,
    UserOutputSerializer,
)
from accounts.models import Role, User
from accounts.selectors.users import user_get_self, user_list
from accounts.services.users import token_obtain, user_create
from core.api.errors import error_responses
from core.api.filters import SafeSearchFilter
from core.permissions import AllowAnyone, HasRolePermission


class _LiveRatesMixin:
    """DRF's throttles copy the rates when the class is defined; reading them per request lets a
    settings change (tests, an environment reload) take effect."""

    def get_rate(self) -> str | None:
        scope = getattr(self, "scope", None)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) if scope else None
        return None if rate is None else str(rate)


class TokenAnonRateThrottle(_LiveRatesMixin, AnonRateThrottle):
    pass


class TokenScopedRateThrottle(_LiveRatesMixin, ScopedRateThrottle):
    pass


class TokenObtainApi(APIView):
    """Exchange a username and password for the user's API token."""

    authentication_classes: list[Any] = []  # the credentials are in the body
    permission_classes = [AllowAnyone]
    throttle_classes = [TokenAnonRateThrottle, TokenScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=TokenInputSerializer,
        responses={200: TokenOutputSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_obtain(
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
            request=request._request,
        )
        return Response(TokenOutputSerializer({"token": token.key}).data)


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
    filter_backends = [DjangoFilterBackend, SafeSearchFilter, OrderingFilter]
    lookup_value_regex = r"[0-9]+"
    search_fields = ["username", "email"]
    ordering_fields = ["id", "username", "created_at"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[User]:
        return user_list(actor=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        request=UserCreateInputSerializer,
        responses={201: UserOutputSerializer, **error_responses(400, 401, 403)},
        description="Create a user. Role `seller` needs `store_name` and creates the store with the user as "
        "owner; staff roles join the group of that name. `integration` accounts: admins only.",
    )
    def create(self, request: Request) -> Response:
        serializer = UserCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(actor=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        created = user_get_self(actor=user)
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
        return Response(UserOutputSerializer(user_get_self(actor=request.user)).data)  # type: ignore[arg-type]
