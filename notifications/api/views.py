"""The caller's own in-app notifications (``/api/v1/notifications/``). Any authenticated user;
someone else's notification is a 404 (the selector only ever returns the caller's)."""

from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api.errors import ErrorSerializer
from core.permissions import IsAuthenticatedUser
from notifications.models import Notification, kind_choices
from notifications.selectors.notifications import notification_list_for_user
from notifications.services.notify import notification_mark_read, notifications_mark_all_read

BAD_INPUT = OpenApiResponse(response=OpenApiTypes.OBJECT, description="Bad input: `{field: [messages]}`.")
UNAUTHENTICATED = OpenApiResponse(response=ErrorSerializer, description="No or invalid credentials.")
PAGE_NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="No such page (`?page=` beyond the last).")
NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="No such notification, or not the caller's.")


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(method="filter_unread", help_text="`true`: only unread; `false`: only read.")
    kind = filters.ChoiceFilter(choices=kind_choices())

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset: QuerySet[Notification], name: str, value: bool | None) -> QuerySet[Notification]:
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=kind_choices())
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class ReadAllOutputSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")


@extend_schema_view(
    list=extend_schema(
        summary="The caller's notifications, newest first",
        responses={200: NotificationOutputSerializer, 400: BAD_INPUT, 401: UNAUTHENTICATED, 404: PAGE_NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="One of the caller's notifications",
        responses={200: NotificationOutputSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    ),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticatedUser]
    serializer_class = NotificationOutputSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "id"]

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        user: User = self.request.user  # type: ignore[assignment]
        return notification_list_for_user(user=user)

    @extend_schema(
        summary="Mark a notification read (idempotent: the first read time is kept)",
        request=None,
        responses={200: NotificationOutputSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = notification_mark_read(notification=self.get_object(), now=timezone.now())
        return Response(NotificationOutputSerializer(notification).data)

    @extend_schema(
        summary="Mark all the caller's notifications read",
        request=None,
        responses={200: ReadAllOutputSerializer, 401: UNAUTHENTICATED},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        return Response({"updated": notifications_mark_all_read(user=user, now=timezone.now())})
