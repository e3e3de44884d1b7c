"""Review cases API (``/api/v1/review-cases/``).

A buyer opens a case about one of their reviews (or a missing one) and sees their own cases; the
staff who work cases (support, moderators, admins) see all (with the audit trail); finance and the
integration client none but their own (another's case is a 404). Staff who work cases
(``reviews.change_reviewcase``) reassign, restore, remove the review and resolve; the buyer gets 403
on their own case. Unknown ids are 400s on their field; actions on a resolved case, restoring a
published review or removing a removed one are 409s.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors.users import is_staff_member
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import Forbidden
from core.permissions import HasRolePermission
from reviews.api.filters import ReviewCaseFilter
from reviews.api.serializers import (
    CaseReassignInputSerializer,
    CaseResolveInputSerializer,
    ModerateReviewInputSerializer,
    RestoreInputSerializer,
    ReviewCaseCreateInputSerializer,
    ReviewCaseOutputSerializer,
    viewer_context,
)
from reviews.models import ReviewCase
from reviews.selectors.reviews import review_case_list, user_reads_all_cases
from reviews.services.access import user_may_work_cases
from reviews.services.cases import (
    review_case_open,
    review_case_reassign,
    review_case_remove_review,
    review_case_resolve,
    review_case_restore,
)


def user_may_open_cases(user: User) -> bool:
    return not is_staff_member(user)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


STAFF_ACTION_RESPONSES: dict[int, Any] = {200: ReviewCaseOutputSerializer, **error_responses(400, 401, 403, 404, 409)}


@extend_schema_view(
    list=extend_schema(
        summary="List review cases (a buyer's own; staff all)",
        responses={200: ReviewCaseOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="A review case (staff also see its audit trail)",
        responses={200: ReviewCaseOutputSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        summary="Report a missing, misattributed or incorrect review (as the buyer)",
        description="`wrong_product` and `incorrect_content` need `review` (one of the caller's); "
        "`missing_review` needs `product` or `order`.",
        request=ReviewCaseCreateInputSerializer,
        responses={201: ReviewCaseOutputSerializer, **error_responses(400, 401, 403)},
    ),
    reassign=extend_schema(
        summary="Move the case's review to the right product (staff working cases)",
        description="Ratings of both products and both sellers follow; history is kept.",
        request=CaseReassignInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    restore=extend_schema(
        summary="Publish the case's hidden or removed review again",
        request=RestoreInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    remove_review=extend_schema(
        summary="Remove the case's review with a reason code",
        request=ModerateReviewInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
    resolve=extend_schema(
        summary="Resolve the case, with optional goodwill (amount in the order's currency, coupon)",
        request=CaseResolveInputSerializer,
        responses=STAFF_ACTION_RESPONSES,
    ),
)
class ReviewCaseViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"create": user_may_open_cases}
    serializer_class = ReviewCaseOutputSerializer
    filterset_class = ReviewCaseFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self) -> QuerySet[ReviewCase]:
        cases = review_case_list(actor=_user(self.request))
        return cases.prefetch_related("events") if user_reads_all_cases(_user(self.request)) else cases

    def _out(self, case: ReviewCase, *, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=case.pk)
        context = viewer_context(_user(self.request))
        return Response(ReviewCaseOutputSerializer(fresh, context=context).data, status=status_code)

    def _worked(self) -> ReviewCase:
        case = self.get_object()
        if not user_may_work_cases(_user(self.request)):
            raise Forbidden("Only support staff and moderators work review cases.")
        return case

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = viewer_context(_user(request))
        return self.get_paginated_response(ReviewCaseOutputSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        context = viewer_context(_user(request))
        return Response(ReviewCaseOutputSerializer(self.get_object(), context=context).data)

    @transaction.atomic
    def create(self, request: Request) -> Response:
        serializer = ReviewCaseCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        case = review_case_open(buyer=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(case, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        case = self._worked()
        serializer = CaseReassignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_case_reassign(case=case, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(case)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def restore(self, request: Request, pk: str | None = None) -> Response:
        case = self._worked()
        serializer = RestoreInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_case_restore(case=case, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(case)

    @action(
        detail=True,
        methods=["post"],
        url_path="remove-review",
        url_name="remove-review",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def remove_review(self, request: Request, pk: str | None = None) -> Response:
        case = self._worked()
        serializer = ModerateReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_case_remove_review(case=case, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(case)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        case = self._worked()
        serializer = CaseResolveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_case_resolve(case=case, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._out(case)


router = IdRouter()
router.register("review-cases", ReviewCaseViewSet, basename="review-cases")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
