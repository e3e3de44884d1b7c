"""Quick replies API (``/api/v1/reply-templates/``): a seller's reply templates.

- Reading: seller members see their stores' own templates and the platform's starters (``seller``
  null); support staff and moderators see all; anyone else (a buyer with no store, finance, the
  integration client) gets 403 — quick replies are a seller's tool. Another store's template is a 404.
- Writing: seller members, on their stores' own templates. Starters are readable but not
  changeable (403), and staff, who may read every template, may not change any (403) — decided
  before the lookup, so a staff caller gets 403 whatever the id.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import Forbidden
from core.permissions import HasRolePermission
from core.text import PLACEHOLDERS
from inquiries.api.filters import ReplyTemplateFilter
from inquiries.api.serializers import (
    ReplyTemplateCreateInputSerializer,
    ReplyTemplateInputSerializer,
    ReplyTemplateOutputSerializer,
)
from inquiries.models import ReplyTemplate
from inquiries.selectors.conversations import reply_template_list, user_may_use_reply_templates
from inquiries.services.templates import reply_template_create, reply_template_delete, reply_template_update
from marketplace.selectors.scoping import user_is_seller_member


def user_may_write_reply_templates(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.seller_memberships.exists())


PLACEHOLDERS_NOTE = (
    f"Placeholders {', '.join(f'`{{{name}}}`' for name in PLACEHOLDERS.names)} (`{{buyer_name}}` still works for "
    "`{customer_name}`); any other is a 400."
)


@extend_schema_view(
    list=extend_schema(
        summary="Quick replies: the caller's stores' own, then the platform's starters",
        responses={200: ReplyTemplateOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="A quick reply", responses={200: ReplyTemplateOutputSerializer, **error_responses(401, 403, 404)}
    ),
    create=extend_schema(
        summary="Add a quick reply (seller members)",
        description=f"Titles are unique per store. {PLACEHOLDERS_NOTE} `seller` is needed only when the "
        "caller belongs to several stores.",
        request=ReplyTemplateCreateInputSerializer,
        responses={201: ReplyTemplateOutputSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Replace a quick reply (its store's members; starters: 403)",
        description=PLACEHOLDERS_NOTE,
        request=ReplyTemplateInputSerializer,
        responses={200: ReplyTemplateOutputSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a quick reply (its store's members; starters: 403)",
        description=PLACEHOLDERS_NOTE,
        request=ReplyTemplateInputSerializer(partial=True),
        responses={200: ReplyTemplateOutputSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a quick reply (its store's members; starters: 403)",
        description="Messages that used it keep their text.",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class ReplyTemplateViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {
        "list": user_may_use_reply_templates,
        "retrieve": user_may_use_reply_templates,
        "create": user_may_write_reply_templates,
        "update": user_may_write_reply_templates,
        "partial_update": user_may_write_reply_templates,
        "destroy": user_may_write_reply_templates,
    }
    serializer_class = ReplyTemplateOutputSerializer
    filterset_class = ReplyTemplateFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["title", "created_at", "updated_at", "id"]

    def get_queryset(self) -> QuerySet[ReplyTemplate]:
        return reply_template_list(actor=self.request.user)  # type: ignore[arg-type]

    def _own_template(self) -> ReplyTemplate:
        template = self.get_object()
        if template.seller_id is None:
            raise Forbidden("Starter templates cannot be changed: copy one into a quick reply of your own.")
        if not user_is_seller_member(self.request.user, template.seller_id):  # type: ignore[arg-type]
            raise Forbidden("Only the store's members can change its quick replies.")
        return template

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(ReplyTemplateOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ReplyTemplateOutputSerializer(self.get_object()).data)

    @transaction.atomic
    def create(self, request: Request) -> Response:
        serializer = ReplyTemplateCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        template = reply_template_create(actor=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(ReplyTemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)

    @transaction.atomic
    def update(self, request: Request, pk: str | None = None, *, partial: bool = False) -> Response:
        template = self._own_template()
        serializer = ReplyTemplateInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = {"title": template.title, "body": template.body, "keywords": template.keywords}
        values |= serializer.validated_data
        template = reply_template_update(template=template, actor=request.user, **values)  # type: ignore[arg-type]
        return Response(ReplyTemplateOutputSerializer(template).data)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self.update(request, pk, partial=True)

    @transaction.atomic
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        reply_template_delete(template=self._own_template(), actor=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


router = IdRouter()
router.register("reply-templates", ReplyTemplateViewSet, basename="reply-templates")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
