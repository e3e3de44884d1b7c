"""Feedback log API: ``POST /feedback/`` ``{interface, body, rating?, category?, page?}`` → 201
with the entry, categorised (``feedback.services.entries.feedback_log``). Logged-in callers
(anonymous visitors use the page form), throttled per user (``FeedbackLogThrottle``) on top of
the write limits."""

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import error_responses
from core.api.throttling import UserWriteThrottle
from core.permissions import IsAuthenticatedUser
from feedback.models import Category, FeedbackEntry, Interface
from feedback.services.entries import feedback_log
from feedback.throttling import FeedbackLogThrottle

INPUT_FIELDS = ("interface", "body", "rating", "category", "page")


class FeedbackInputSerializer(serializers.Serializer):
    """Documents the body; the service checks it (so the page and the API refuse alike)."""

    interface = serializers.ChoiceField(choices=Interface.choices)
    body = serializers.CharField(help_text="What the person says.")
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    page = serializers.CharField(required=False, allow_blank=True, help_text="The page's path.")


class FeedbackOutputSerializer(serializers.ModelSerializer):
    # Declared: a read-only model field loses ``allow_blank`` and the schema would refuse "".
    category = serializers.ChoiceField(choices=Category.choices, allow_blank=True, read_only=True)

    class Meta:
        model = FeedbackEntry
        fields = ["id", "interface", "body", "rating", "category", "kind", "page", "created_at"]
        read_only_fields = fields


class FeedbackLogApi(APIView):
    # Log feedback about a page or interface.
    permission_classes = [IsAuthenticatedUser]
    throttle_classes = [UserWriteThrottle, FeedbackLogThrottle]

    @extend_schema(
        summary="Log feedback about a page (categorised by the choice or the keyword rules)",
        request=FeedbackInputSerializer,
        responses={201: FeedbackOutputSerializer, **error_responses(400, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        data: Any = request.data if hasattr(request.data, "get") else {}
        unknown = sorted(set(data) - set(INPUT_FIELDS)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        entry = feedback_log(
            interface=data.get("interface"),
            body=data.get("body"),
            rating=data.get("rating"),
            category=data.get("category") or "",
            page=data.get("page") or "",
            user=request.user,  # type: ignore[arg-type]
            now=timezone.now(),
        )
        return Response(FeedbackOutputSerializer(entry).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern | URLResolver] = [
    path("feedback/", FeedbackLogApi.as_view(), name="feedback-log"),
]
