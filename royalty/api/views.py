"""Royalty API: affiliates and their attributed sales, statements (generate, list, adjust,
approve, pay), pending adjustments (second approver) and payout batches with their CSV.

Reads are scoped by ``royalty.selectors.statements``: staff with the view permissions see every
record, an affiliate's user (or its store's members) only its own; anything else is 404. Writes are
finance's (``royalty.change_statement``): another caller who sees the record gets 403. Approved and
paid statements refuse every change with 409.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.csv import CsvRenderer, JsonErrorsMixin
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import InvalidInput
from core.permissions import HasRolePermission
from marketplace.models import Seller
from marketplace.selectors.billing import order_get_for_user
from royalty.api.filters import StatementFilter
from royalty.api.serializers import (
    AdjustmentInputSerializer,
    AdjustmentOutputSerializer,
    AffiliateInputSerializer,
    AffiliateOutputSerializer,
    AttributionInputSerializer,
    AttributionOutputSerializer,
    GenerateInputSerializer,
    GenerateOutputSerializer,
    MarkPaidInputSerializer,
    PayoutBatchOutputSerializer,
    RejectInputSerializer,
    StatementDetailOutputSerializer,
    StatementOutputSerializer,
)
from royalty.models import Adjustment, Affiliate, PayoutBatch, Statement
from royalty.selectors.statements import (
    adjustment_list,
    affiliate_list,
    payout_batch_list,
    statement_list,
    statement_list_with_lines,
)
from royalty.services.affiliates import affiliate_create, attribution_create
from royalty.services.common import require_finance, statement_period, user_is_finance
from royalty.services.generation import statements_generate
from royalty.services.statements import (
    adjustment_add,
    adjustment_approve,
    adjustment_reject,
    payout_batch_csv,
    statement_approve,
    statements_mark_paid,
)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _does_not_exist(field: str, value: int) -> InvalidInput:
    return InvalidInput(f'Invalid pk "{value}" - object does not exist.', code="does_not_exist", field=field)


WRITE_ERRORS = error_responses(400, 401, 403, 404, 409)


@extend_schema_view(
    list=extend_schema(
        summary="List affiliates (staff: all; an affiliate's user: its own)",
        responses={200: AffiliateOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="An affiliate", responses={200: AffiliateOutputSerializer, **error_responses(401, 404)}
    ),
    create=extend_schema(
        summary="Add an affiliate (finance)",
        description="`kind` is `partner`, `sales_team` or `seller`; a seller affiliate names its store "
        "(`seller`, one affiliate per store), the others none.",
        request=AffiliateInputSerializer,
        responses={201: AffiliateOutputSerializer, **error_responses(400, 401, 403, 409)},
    ),
    attributions=extend_schema(
        summary="Attribute a sale to the affiliate (finance)",
        description="One affiliate per order; the amount, currency and date are the order's. "
        "The order must be in the affiliate's currency, and a seller affiliate's own store's.",
        request=AttributionInputSerializer,
        responses={201: AttributionOutputSerializer, **WRITE_ERRORS},
    ),
)
class AffiliateViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"create": user_is_finance}
    serializer_class = AffiliateOutputSerializer
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["name", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Affiliate]:
        return affiliate_list(actor=_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AffiliateOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(AffiliateOutputSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = AffiliateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = None
        if data["user"] is not None:
            user = User.objects.filter(pk=data["user"]).first()
            if user is None:
                raise _does_not_exist("user", data["user"])
        seller = None
        if data["seller"] is not None:
            seller = Seller.objects.filter(pk=data["seller"]).first()
            if seller is None:
                raise _does_not_exist("seller", data["seller"])
        affiliate = affiliate_create(
            actor=_user(request),
            name=data["name"],
            kind=data["kind"],
            user=user,
            seller=seller,
            currency=data["currency"],
            now=timezone.now(),
        )
        return Response(AffiliateOutputSerializer(affiliate).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def attributions(self, request: Request, pk: str | None = None) -> Response:
        affiliate = self.get_object()
        actor = _user(request)
        require_finance(actor)
        serializer = AttributionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_get_for_user(user=actor, order_id=serializer.validated_data["order"])
        if order is None:
            raise _does_not_exist("order", serializer.validated_data["order"])
        attribution = attribution_create(
            actor=actor,
            affiliate=affiliate,
            order=order,
            category=serializer.validated_data["category"],
            now=timezone.now(),
        )
        return Response(AttributionOutputSerializer(attribution).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List royalty statements (staff: all; an affiliate: its own)",
        parameters=[
            OpenApiParameter("period", str, description="A month (`2026-11`) or a quarter (`2026-Q4`)."),
        ],
        responses={200: StatementOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="A statement with every line and what produced it",
        responses={200: StatementDetailOutputSerializer, **error_responses(401, 404)},
    ),
    generate=extend_schema(
        summary="Generate the statements of a period that is over (finance; idempotent)",
        description="Brings every affiliate's statement for the period up to date: base commission on "
        "the sales not paid yet, the performance adjustments from the tiers in force, clawbacks of "
        "refunds. Running it again adds nothing; approved and paid statements are never touched.",
        request=GenerateInputSerializer,
        responses={200: GenerateOutputSerializer, **error_responses(400, 401, 403)},
    ),
    adjustments=extend_schema(
        summary="Add a manual adjustment (finance; above the threshold it waits for a second approver)",
        request=AdjustmentInputSerializer,
        responses={201: AdjustmentOutputSerializer, **WRITE_ERRORS},
    ),
    approve=extend_schema(
        summary="Approve a draft statement (finance; two different people above the threshold)",
        request=None,
        responses={200: StatementDetailOutputSerializer, **WRITE_ERRORS},
    ),
    mark_paid=extend_schema(
        summary="Pay approved statements in one payout batch (finance)",
        request=MarkPaidInputSerializer,
        responses={201: PayoutBatchOutputSerializer, **error_responses(400, 401, 403, 409)},
    ),
)
class StatementViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"generate": user_is_finance, "mark_paid": user_is_finance}
    serializer_class = StatementOutputSerializer
    filterset_class = StatementFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["start", "total", "created_at", "id"]

    def get_queryset(self) -> QuerySet[Statement]:
        if self.action == "list":
            return statement_list(actor=_user(self.request))
        return statement_list_with_lines(actor=_user(self.request))

    def _out(self, statement: Statement) -> Response:
        fresh = statement_list_with_lines(actor=_user(self.request)).get(pk=statement.pk)
        return Response(StatementDetailOutputSerializer(fresh).data)

    def _worked(self) -> Statement:
        statement = self.get_object()
        require_finance(_user(self.request))
        return statement

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(StatementOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(StatementDetailOutputSerializer(self.get_object()).data)

    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def generate(self, request: Request) -> Response:
        serializer = GenerateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = statement_period(serializer.validated_data["period"])
        result = statements_generate(period=period, now=timezone.now(), actor=_user(request))
        statements = statement_list(actor=_user(request)).filter(pk__in=result.statement_ids)
        payload = {
            "period": result.period,
            "statements_created": result.statements_created,
            "lines_added": result.lines_added,
            "statements": statements,
        }
        return Response(GenerateOutputSerializer(payload).data)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def adjustments(self, request: Request, pk: str | None = None) -> Response:
        statement = self._worked()
        serializer = AdjustmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        adjustment = adjustment_add(
            statement=statement, actor=_user(request), now=timezone.now(), **serializer.validated_data
        )
        return Response(AdjustmentOutputSerializer(adjustment).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def approve(self, request: Request, pk: str | None = None) -> Response:
        statement = self._worked()
        statement_approve(statement=statement, actor=_user(request), now=timezone.now())
        return self._out(statement)

    @action(
        detail=False,
        methods=["post"],
        url_path="mark-paid",
        url_name="mark-paid",
        filter_backends=[],
        pagination_class=None,
    )
    def mark_paid(self, request: Request) -> Response:
        serializer = MarkPaidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        batch = statements_mark_paid(
            statement_ids=serializer.validated_data["statements"], actor=_user(request), now=timezone.now()
        )
        return Response(PayoutBatchOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List manual adjustments (staff: all; an affiliate: its statements')",
        responses={200: AdjustmentOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    approve=extend_schema(
        summary="Approve a pending adjustment (another finance user than who asked)",
        request=None,
        responses={200: AdjustmentOutputSerializer, **WRITE_ERRORS},
    ),
    reject=extend_schema(
        summary="Reject a pending adjustment (finance)",
        request=RejectInputSerializer,
        responses={200: AdjustmentOutputSerializer, **WRITE_ERRORS},
    ),
)
class AdjustmentViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    serializer_class = AdjustmentOutputSerializer
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["requested_at", "amount", "id"]

    def get_queryset(self) -> QuerySet[Adjustment]:
        return adjustment_list(actor=_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AdjustmentOutputSerializer(page, many=True).data)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def approve(self, request: Request, pk: str | None = None) -> Response:
        adjustment = self.get_object()
        require_finance(_user(request))
        approved = adjustment_approve(adjustment=adjustment, actor=_user(request), now=timezone.now())
        return Response(AdjustmentOutputSerializer(approved).data)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def reject(self, request: Request, pk: str | None = None) -> Response:
        adjustment = self.get_object()
        require_finance(_user(request))
        serializer = RejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rejected = adjustment_reject(
            adjustment=adjustment, actor=_user(request), now=timezone.now(), **serializer.validated_data
        )
        return Response(AdjustmentOutputSerializer(rejected).data)


@extend_schema_view(
    list=extend_schema(
        summary="List payout batches (staff who read royalty)",
        responses={200: PayoutBatchOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    export=extend_schema(
        summary="A payout batch as CSV: one row per statement paid",
        responses={
            (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR),
            **{(code, "application/json"): response for code, response in error_responses(401, 404).items()},
        },
    ),
)
class PayoutBatchViewSet(JsonErrorsMixin, viewsets.GenericViewSet):
    # The export is a CSV the action builds; every other answer (the list, errors) is JSON.
    permission_classes = [HasRolePermission]
    serializer_class = PayoutBatchOutputSerializer
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "total", "id"]

    def get_queryset(self) -> QuerySet[PayoutBatch]:
        return payout_batch_list(actor=_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PayoutBatchOutputSerializer(page, many=True).data)

    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[JSONRenderer, CsvRenderer],
    )
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        batch = get_object_or_404(self.get_queryset(), pk=pk)
        response = HttpResponse(payout_batch_csv(batch), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payout-{batch.pk}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response


router = IdRouter()
router.register("affiliates", AffiliateViewSet, basename="affiliates")
router.register("royalty-statements", StatementViewSet, basename="royalty-statements")
router.register("royalty-adjustments", AdjustmentViewSet, basename="royalty-adjustments")
router.register("payout-batches", PayoutBatchViewSet, basename="payout-batches")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
