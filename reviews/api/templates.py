"""Response templates API (``/api/v1/response-templates/``).

- Reading: seller members see their stores' own templates and the platform's; staff see all;
  anyone else (a buyer with no store) gets 403 — templates are a seller's tool. Another store's
  template is a 404. Archived templates are listed with ``?archived=true`` and stay readable by id.
- Writing: seller members add and change their stores' own; moderators and admins
  (``reviews.add_responsetemplate``) the platform's. Everyone else gets 403, decided before the
  lookup. ``DELETE`` archives (responses keep the template they started from).
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import Forbidden
from core.permissions import HasRolePermission
from core.text import PLACEHOLDERS
from marketplace.models import Seller
from reviews.api.filters import ResponseTemplateFilter
from reviews.api.serializers import (
    ResponseTemplateCreateInputSerializer,
    ResponseTemplateInputSerializer,
    ResponseTemplateOutputSerializer,
)
from reviews.models import ResponseTemplate
from reviews.selectors.reviews import response_template_list, user_may_use_response_templates
from reviews.services.access import user_may_manage_platform_templates
from reviews.services.templates import (
    response_template_archive,
    response_template_create,
    response_template_update,
    user_may_change_template,
)

PLACEHOLDERS_NOTE = f"Placeholders {', '.join(f'`{{{name}}}`' for name in PLACEHOLDERS.names)}; any other is a 400."


def user_may_write_response_templates(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user_may_manage_platform_templates(user) or user.seller_memberships.exists())
    )


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


@extend_schema_view(
    list=extend_schema(
        summary="Response templates: the caller's stores' own, then the platform's",
        responses={200: ResponseTemplateOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="A response template",
        responses={200: ResponseTemplateOutputSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Add a template (seller members: their store's; moderators: the platform's)",
        description=PLACEHOLDERS_NOTE,
        request=ResponseTemplateCreateInputSerializer,
        responses={201: ResponseTemplateOutputSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a template (its store's members; platform ones: moderators)",
        description=PLACEHOLDERS_NOTE,
        request=ResponseTemplateInputSerializer(partial=True),
        responses={200: ResponseTemplateOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Archive a template (its store's members; platform ones: moderators)",
        description="Archived, not deleted: responses keep the template they started from.",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class ResponseTemplateViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {
        "list": user_may_use_response_templates,
        "retrieve": user_may_use_response_templates,
        "create": user_may_write_response_templates,
        "partial_update": user_may_write_response_templates,
        "destroy": user_may_write_response_templates,
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = ResponseTemplateOutputSerializer
    filterset_class = ResponseTemplateFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["title", "situation", "created_at", "id"]

    def get_queryset(self) -> QuerySet[ResponseTemplate]:
        return response_template_list(actor=_user(self.request))

    def _changeable(self) -> ResponseTemplate:
        template = self.get_object()
        if not user_may_change_template(_user(self.request), template):
            raise Forbidden("You may not change this template.")
        return template

    def list(self, request: Request) -> Response:
        templates = self.filter_queryset(self.get_queryset())
        if "archived" not in request.query_params:
            templates = templates.filter(archived_at__isnull=True)
        page = self.paginate_queryset(templates)
        return self.get_paginated_response(ResponseTemplateOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ResponseTemplateOutputSerializer(self.get_object()).data)

    @transaction.atomic
    def create(self, request: Request) -> Response:
        user = _user(request)
        serializer = ResponseTemplateCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        seller: Seller | None = data.pop("seller", None)
        if seller is None and not user_may_manage_platform_templates(user):
            stores = list(Seller.objects.filter(memberships__user_id=user.pk).order_by("id")[:2])
            if len(stores) != 1:
                raise ValidationError({"seller": ["Say which of your stores this template is for."]})
            seller = stores[0]
        template = response_template_create(actor=user, seller=seller, **data)
        return Response(ResponseTemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)

    @transaction.atomic
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        template = self._changeable()
        serializer = ResponseTemplateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = {"situation": template.situation, "title": template.title, "body": template.body}
        values |= serializer.validated_data
        template = response_template_update(template=template, actor=_user(request), **values)
        return Response(ResponseTemplateOutputSerializer(template).data)

    @transaction.atomic
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        response_template_archive(template=self._changeable(), actor=_user(request), now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


router = IdRouter()
router.register("response-templates", ResponseTemplateViewSet, basename="response-templates")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
