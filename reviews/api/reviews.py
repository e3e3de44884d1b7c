"""Reviews API (``/api/v1/reviews/``) and review responses (``/api/v1/review-responses/``).

Who sees what: ``reviews.selectors.reviews`` (anything outside the caller's set is a 404). Who may
act on a review they see (403 otherwise, decided before the body is read):

- ``POST /reviews/`` — any signed-in user who is not platform staff, *as the buyer* (every user can
  buy; reviewing one's own store's product is a 400). Staff may not write reviews on anyone's
  behalf.
- ``POST .../responses/`` — the product seller's members, and staff holding
  ``reviews.add_reviewresponse`` (support, moderators, admins).
- ``POST .../hide/``, ``.../remove/``, ``.../restore/`` — moderators and admins.
- ``POST .../follow-up/`` — the review's buyer.
- ``POST /review-responses/<id>/approve/``, ``.../request-edit/``, ``.../hide/`` — moderators and
  admins.
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors.users import is_staff_member
from core.api.errors import error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.api.routers import IdRouter
from core.exceptions import Forbidden
from core.permissions import HasRolePermission
from reviews.api.filters import ReviewFilter, ReviewResponseFilter
from reviews.api.serializers import (
    FollowUpInputSerializer,
    FollowUpOutputSerializer,
    ModerateResponseInputSerializer,
    ModerateReviewInputSerializer,
    ResponseCreateInputSerializer,
    RestoreInputSerializer,
    ReviewCreateInputSerializer,
    ReviewOutputSerializer,
    ReviewResponseOutputSerializer,
    does_not_exist,
    viewer_context,
)
from reviews.models import ResponseTemplate, Review, ReviewResponse
from reviews.selectors.reviews import review_list, review_response_list
from reviews.services.access import user_may_moderate_responses, user_may_moderate_reviews
from reviews.services.responses import (
    responder_kind,
    response_approve,
    response_hide,
    response_post,
    response_request_edit,
)
from reviews.services.reviews import follow_up_answer, review_create, review_hide, review_remove, review_restore


def user_may_write_reviews(user: User) -> bool:
    return not is_staff_member(user)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


@extend_schema_view(
    list=extend_schema(
        summary="List reviews (scoped to the caller)",
        description="Everyone signed in sees published reviews; a buyer also their own in any status; a "
        "seller member every review of their stores' products; staff all. Moderation notes are staff-only.",
        responses={200: ReviewOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="A review with the responses the caller may see",
        responses={200: ReviewOutputSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        summary="Review a product (as the buyer)",
        description="One review per buyer and product (409 for a second). With `order` (one of the caller's, "
        "containing the product) or, without it, the caller's latest order containing the product, the "
        "review is a `verified_purchase`. 1 or 2 stars alert the seller and support at once.",
        request=ReviewCreateInputSerializer,
        responses={201: ReviewOutputSerializer, **error_responses(400, 401, 403, 409)},
    ),
    responses=extend_schema(
        summary="Respond to a review (the product seller's members, or support staff)",
        description="`{body}` or `{template, context?}`. A seller's response goes through the standards check: "
        "flagged (insults, blaming, shouting, contact details, links off the platform), it waits for a moderator "
        "(`pending_moderation`) and is not shown to the buyer. 409: the review is not published, or already has "
        "a live response of the caller's kind.",
        request=ResponseCreateInputSerializer,
        responses={201: ReviewResponseOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    hide=extend_schema(
        summary="Hide a review (moderators)",
        request=ModerateReviewInputSerializer,
        responses={200: ReviewOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    remove=extend_schema(
        summary="Remove a review (moderators); nothing is deleted",
        request=ModerateReviewInputSerializer,
        responses={200: ReviewOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    restore=extend_schema(
        summary="Publish a hidden or removed review again (moderators)",
        request=RestoreInputSerializer,
        responses={200: ReviewOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    follow_up=extend_schema(
        summary="Say whether the response resolved the issue (the review's buyer)",
        description="Negative reviews, after a response. `resolved: false` escalates to senior support at once.",
        request=FollowUpInputSerializer,
        responses={200: FollowUpOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class ReviewViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    action_permissions: dict[str, Any] = {"create": user_may_write_reviews}
    serializer_class = ReviewOutputSerializer
    filterset_class = ReviewFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "rating", "response_due_at", "id"]

    def get_queryset(self) -> QuerySet[Review]:
        return review_list(actor=_user(self.request))

    def _detail(self, review: Review, *, status_code: int = status.HTTP_200_OK) -> Response:
        user = _user(self.request)
        fresh = review_list(actor=user).get(pk=review.pk)
        return Response(ReviewOutputSerializer(fresh, context=viewer_context(user)).data, status=status_code)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = ReviewOutputSerializer(page, many=True, context=viewer_context(_user(request))).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(ReviewOutputSerializer(self.get_object(), context=viewer_context(_user(request))).data)

    @transaction.atomic
    def create(self, request: Request) -> Response:
        serializer = ReviewCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        review = review_create(buyer=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._detail(review, status_code=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def responses(self, request: Request, pk: str | None = None) -> Response:
        user = _user(request)
        review = self.get_object()
        responder_kind(review=review, user=user)  # 403 before the body is read
        serializer = ResponseCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = None
        if "template" in data:
            template = (
                ResponseTemplate.objects.filter(Q(seller__isnull=True) | Q(seller_id=review.seller_id))
                .filter(pk=data["template"], archived_at__isnull=True)
                .first()
            )
            if template is None:
                raise ValidationError({"template": does_not_exist(data["template"]).detail})
        response = response_post(
            review=review,
            author=user,
            body=data.get("body"),
            template=template,
            context=data.get("context"),
            now=timezone.now(),
        )
        return Response(
            ReviewResponseOutputSerializer(response, context=viewer_context(user)).data, status=status.HTTP_201_CREATED
        )

    def _moderated(self, request: Request) -> Review:
        review = self.get_object()
        if not user_may_moderate_reviews(_user(request)):
            raise Forbidden("Only moderators can moderate reviews.")
        return review

    def _moderate(
        self, request: Request, input_serializer: type[serializers.Serializer], service: Callable[..., Review]
    ) -> Response:
        """Hide, remove or restore: a moderator, valid input, one service call, the review as now."""
        review = self._moderated(request)
        serializer = input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(review=review, actor=_user(request), now=timezone.now(), **serializer.validated_data)
        return self._detail(review)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def hide(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, ModerateReviewInputSerializer, review_hide)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def remove(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, ModerateReviewInputSerializer, review_remove)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def restore(self, request: Request, pk: str | None = None) -> Response:
        return self._moderate(request, RestoreInputSerializer, review_restore)

    @action(
        detail=True,
        methods=["post"],
        url_path="follow-up",
        url_name="follow-up",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def follow_up(self, request: Request, pk: str | None = None) -> Response:
        user = _user(request)
        review = self.get_object()
        if user.pk != review.buyer_id:
            raise Forbidden("Only the review's author can answer its follow-up.")
        serializer = FollowUpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = follow_up_answer(review=review, actor=user, now=timezone.now(), **serializer.validated_data)
        return Response(FollowUpOutputSerializer(follow_up).data)


@extend_schema_view(
    list=extend_schema(
        summary="List review responses (scoped to the caller)",
        description="Published responses on reviews the caller sees; a store's members also its pending, "
        "edit-requested and hidden ones; staff all (`?status=pending_moderation` is the moderation queue).",
        responses={200: ReviewResponseOutputSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="A review response", responses={200: ReviewResponseOutputSerializer, **error_responses(401, 404)}
    ),
    approve=extend_schema(
        summary="Approve a flagged response (moderators): it is published, no strike",
        request=None,
        responses={200: ReviewResponseOutputSerializer, **error_responses(401, 403, 404, 409)},
    ),
    request_edit=extend_schema(
        summary="Send a response back for an edit (moderators); upheld violations are strikes",
        request=ModerateResponseInputSerializer,
        responses={200: ReviewResponseOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    hide=extend_schema(
        summary="Hide a response (moderators); upheld violations are strikes",
        request=ModerateResponseInputSerializer,
        responses={200: ReviewResponseOutputSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class ReviewResponseViewSet(viewsets.GenericViewSet):
    permission_classes = [HasRolePermission]
    serializer_class = ReviewResponseOutputSerializer
    filterset_class = ReviewResponseFilter
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self) -> QuerySet[ReviewResponse]:
        return review_response_list(actor=_user(self.request))

    def _out(self, response: ReviewResponse) -> Response:
        return Response(ReviewResponseOutputSerializer(response, context=viewer_context(_user(self.request))).data)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = ReviewResponseOutputSerializer(page, many=True, context=viewer_context(_user(request))).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._out(self.get_object())

    def _moderated(self) -> ReviewResponse:
        response = self.get_object()
        if not user_may_moderate_responses(_user(self.request)):
            raise Forbidden("Only moderators can moderate responses.")
        return response

    def _send_back(self, request: Request, service: Callable[..., ReviewResponse]) -> Response:
        """Request an edit or hide: a moderator, the reason (and violations), one service call."""
        response = self._moderated()
        serializer = ModerateResponseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        moderated = service(
            response=response,
            actor=_user(request),
            reason=data["reason"],
            violations=data.get("violations"),
            now=timezone.now(),
        )
        return self._out(moderated)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def approve(self, request: Request, pk: str | None = None) -> Response:
        response = self._moderated()
        return self._out(response_approve(response=response, actor=_user(request), now=timezone.now()))

    @action(
        detail=True,
        methods=["post"],
        url_path="request-edit",
        url_name="request-edit",
        filter_backends=[],
        pagination_class=None,
    )
    @transaction.atomic
    def request_edit(self, request: Request, pk: str | None = None) -> Response:
        return self._send_back(request, response_request_edit)

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    @transaction.atomic
    def hide(self, request: Request, pk: str | None = None) -> Response:
        return self._send_back(request, response_hide)


router = IdRouter()
router.register("reviews", ReviewViewSet, basename="reviews")
router.register("review-responses", ReviewResponseViewSet, basename="review-responses")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
