"""Input and output serializers of the webhooks API."""

from typing import Any

from rest_framework import serializers

from core.api.fields import SingleLineCharField
from webhooks.models import SUBSCRIBABLE_EVENT_TYPES, Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, EventType
from webhooks.services.endpoints import DESCRIPTION_MAX_LENGTH, SECRET_MAX_LENGTH, URL_MAX_LENGTH


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=URL_MAX_LENGTH,
        help_text="Where events are POSTed. In production: https, and a host with public addresses only.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[(value, EventType(value).label) for value in SUBSCRIBABLE_EVENT_TYPES]),
        allow_empty=False,
        max_length=len(SUBSCRIBABLE_EVENT_TYPES),
        help_text="The event types to receive.",
    )
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=SECRET_MAX_LENGTH,
        trim_whitespace=False,
        help_text="Signs every delivery (16-200 printable characters); generated when left out.",
    )
    is_active = serializers.BooleanField(required=False, default=True)
    description = SingleLineCharField(required=False, allow_blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH)


class EndpointUpdateSerializer(EndpointInputSerializer):
    """``PATCH``: any of the fields; ``is_active: true`` turns a paused endpoint on again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class EndpointOutputSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "paused_at",
            "pause_reason",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EndpointCreatedSerializer(EndpointOutputSerializer):
    """The answer to a registration: the only time the API shows the secret."""

    class Meta(EndpointOutputSerializer.Meta):
        fields = [*EndpointOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class EventSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    type = serializers.ChoiceField(choices=EventType.choices, read_only=True)
    resource_type = serializers.CharField(read_only=True)
    resource_id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "duration_ms", "status_code", "response_excerpt", "error"]
        read_only_fields = fields


class DeliveryOutputSerializer(serializers.ModelSerializer):
    event = EventSummarySerializer(read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "endpoint",
            "event",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "delivered_at",
            "replay_of",
            "created_at",
        ]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliveryOutputSerializer):
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta(DeliveryOutputSerializer.Meta):
        fields = [*DeliveryOutputSerializer.Meta.fields, "attempt_log"]
        read_only_fields = fields


class ReplayRangeInputSerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="Deliveries created at or after this time…")
    until = serializers.DateTimeField(help_text="…and before this one.")


class ReplayRangeOutputSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="How many failed deliveries were queued again.")
