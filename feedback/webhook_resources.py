"""How a survey answer appears in webhook events (``webhooks.resources``, resource
``survey_response``). The API has no detail endpoint for an answer (``POST /surveys/<token>/``
returns it without its id), so the body is the API's answer representation
(``SurveyAnswerOutputSerializer``: the same field names and formats) plus what the CSAT reports
group it by: its id, the invitation and what it was about, the customer, seller, agent, order and
channel, and the time to resolution. Never the token (the key to the survey). One statement per
batch (the answers with their invitation)."""

from collections.abc import Sequence
from typing import Any

from rest_framework import serializers

from core.api.rendering import api_json
from feedback.api.surveys import SurveyAnswerOutputSerializer
from feedback.models import InteractionType, SurveyResponse


class SurveyResponseEventSerializer(SurveyAnswerOutputSerializer):
    id = serializers.IntegerField()
    invitation = serializers.IntegerField(source="invitation_id")
    about = serializers.CharField(source="invitation.about_label", help_text="What the survey was about.")
    about_type = serializers.ChoiceField(choices=InteractionType.choices, source="invitation.about_type")
    about_id = serializers.IntegerField(source="invitation.about_id", help_text="The ticket, conversation... id.")
    customer = serializers.IntegerField(source="invitation.customer_id")
    seller = serializers.IntegerField(source="seller_id", allow_null=True)
    agent = serializers.IntegerField(source="agent_id", allow_null=True)
    order = serializers.IntegerField(source="order_id", allow_null=True)

    class Meta(SurveyAnswerOutputSerializer.Meta):
        fields = [
            "id",
            "invitation",
            "about",
            "about_type",
            "about_id",
            "customer",
            "seller",
            "agent",
            "order",
            "channel",
            *SurveyAnswerOutputSerializer.Meta.fields,
            "resolution_seconds",
        ]
        read_only_fields = fields


def survey_responses_render(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    answers = SurveyResponse.objects.filter(pk__in=ids).select_related("invitation")
    return {answer.pk: api_json(SurveyResponseEventSerializer(answer).data) for answer in answers}


RESOURCES = {"survey_response": survey_responses_render}
