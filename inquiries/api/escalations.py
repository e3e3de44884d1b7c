"""The support queue API (``/api/v1/escalations/``): inquiries the sweep escalated.

The staff whose work it is only: support, moderators, admins, holders of
``inquiries.view_escalation`` (``user_reads_escalations``). Every other caller — finance and the
integration client included, as in the console — gets 403 on every route, decided before any lookup
(so an id reveals nothing): the queue is a support tool, and the buyer and the seller see the
escalation on the conversation itself (``status``, ``escalated_at``). Assigning is for those who work
the queue (``user_may_work_escalations``).
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import Forbidden
from core.permissions import HasRolePermission
from inquiries.api.filters import EscalationFilter
from inquiries.api.serializers import EscalationAssignInputSerializer, EscalationOutputSerializer
from inquiries.models import Escalation
from inquiries.selectors.conversations import escalation_list, user_reads_escalations
from inquiries.services.escalations import escalation_assign, user_may_work_escalations


@extend_schema_view(
    list=extend_schema(
        summary="The support queue (support staff)",
        description="Escalated inquiries, oldest first. `resolved=false` is the open queue; "
        "`unassigned=true` what nobody has taken yet.",
        responses={200: EscalationOutputSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="An escalation (support staff)",
        responses={200: EscalationOutputSerializer, **error_responses(401, 403, 404)},
    ),
    assign=extend_schema(
        summary="Assign an escalation (support, moderators, admins)",
        description="`assignee` omitted: the caller takes it; `null`: back to the unassigned pile. Assigning "
        "to the current assignee changes nothing. Resolved escalations: 409.",
        request=EscalationAssignInputSerializer,
        responses={200: EscalationOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class EscalationViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {
        "list": user_reads_escalations,
        "retrieve": user_reads_escalations,
        "assign": user_reads_escalations,
    }
    serializer_class = EscalationOutputSerializer
    filterset_class = EscalationFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["escalated_at", "assigned_at", "resolved_at", "id"]
    ordering = ["escalated_at", "id"]

    def get_queryset(self) -> QuerySet[Escalation]:
        return escalation_list(actor=self.request.user)  # type: ignore[arg-type]

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EscalationOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(EscalationOutputSerializer(self.get_object()).data)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def assign(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        escalation = self.get_object()
        # The role before the body: a reader who does not work the queue sending nothing gets 403, not 400.
        if not user_may_work_escalations(user):
            raise Forbidden("Only support staff can assign escalations.")
        serializer = EscalationAssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignee = serializer.validated_data.get("assignee", user)
        escalation_assign(escalation=escalation, assignee=assignee, actor=user, now=timezone.now())
        return Response(EscalationOutputSerializer(self.get_queryset().get(pk=escalation.pk)).data)


router = IdRouter()
router.register("escalations", EscalationViewSet, basename="escalations")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
