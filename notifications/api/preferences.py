"""The caller's notification preferences (``/api/v1/me/notification-preferences/``). Any
authenticated user, for themselves only (a store's owner changes a member's on the settings page).

- ``GET`` → ``{"groups": {group: delivery, ...every group}, "deadline_email_now": bool,
  "defaults": {group: delivery}}`` — ``groups`` is what is in effect (the role's default where the
  user never chose).
- ``PUT`` ``{"groups"?: {group: delivery}, "deadline_email_now"?: bool}`` — a partial update: the
  groups named change, the others keep theirs. An unknown group or delivery is 400 naming it.
"""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api.errors import error_responses
from core.permissions import IsAuthenticatedUser
from notifications.models import KIND_GROUPS, Delivery
from notifications.services.preferences import (
    EffectivePreferences,
    notification_preferences_update,
    preferences_for_user,
)


def _groups_field(**kwargs: Any) -> serializers.Field:
    return serializers.DictField(
        child=serializers.ChoiceField(choices=Delivery.choices),
        help_text=f"Per group ({', '.join(KIND_GROUPS)}): `in_app`, `email` or `digest`.",
        **kwargs,
    )


class PreferencesOutputSerializer(serializers.Serializer):
    groups = _groups_field()
    deadline_email_now = serializers.BooleanField(
        help_text="Notices that carry a deadline are emailed at once whatever their group's delivery."
    )
    defaults = _groups_field()


class PreferencesInputSerializer(serializers.Serializer):
    groups = _groups_field(required=False)
    deadline_email_now = serializers.BooleanField(required=False)

    def validate_groups(self, groups: dict[str, str]) -> dict[str, str]:
        unknown = sorted(group for group in groups if group not in KIND_GROUPS)
        if unknown:
            raise serializers.ValidationError(
                {group[:40]: [f"Unknown group; the groups are {', '.join(KIND_GROUPS)}."] for group in unknown[:5]}
            )
        return groups

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        extra = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if extra:
            raise serializers.ValidationError({name[:40]: ["Unknown field."] for name in extra[:5]})
        return attrs


def _output(preferences: EffectivePreferences) -> dict[str, Any]:
    return {
        "groups": preferences.as_dict(),
        "deadline_email_now": preferences.deadline_email_now,
        "defaults": {choice.group: choice.default for choice in preferences.groups},
    }


class NotificationPreferencesApi(APIView):
    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="me_notification_preferences_retrieve",
        summary="The caller's notification preferences (every group)",
        responses={200: PreferencesOutputSerializer, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        return Response(_output(preferences_for_user(user)))

    @extend_schema(
        operation_id="me_notification_preferences_update",
        summary="Change the caller's notification preferences (the groups named; the rest unchanged)",
        request=PreferencesInputSerializer,
        responses={200: PreferencesOutputSerializer, **error_responses(400, 401)},
    )
    def put(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        serializer = PreferencesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preferences = notification_preferences_update(
            user=user,
            actor=user,
            now=timezone.now(),
            groups=serializer.validated_data.get("groups"),
            deadline_email_now=serializer.validated_data.get("deadline_email_now"),
        )
        return Response(_output(preferences))
