"""Surveys API.

- ``GET /surveys/`` — the caller's open invitations ``{token, about, expires_at}`` (login needed);
- ``GET /surveys/<token>/`` — what the survey is about and its questions (no login: the token is
  the key; records nothing, mail scanners follow links);
- ``POST /surveys/<token>/`` — the answer (``feedback.services.answers.survey_answer``): 201 with
  it; 404 no such survey, 410 expired, 409 answered, 400 on the field at fault.

The token endpoints are throttled per client address (``SurveyTokenThrottle``)."""

from typing import Any

from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import ErrorSerializer, error_responses
from core.api.filters import FilterBackend, StableOrderingFilter
from core.permissions import AllowAnyone, IsAuthenticatedUser
from feedback.models import Category, SurveyInvitation, SurveyResponse
from feedback.selectors.surveys import (
    SURVEY_QUESTIONS,
    survey_invitation_get_by_token,
    survey_invitation_list_open,
)
from feedback.services.answers import invitation_answerable, survey_answer
from feedback.throttling import SurveyTokenThrottle

GONE = OpenApiResponse(response=ErrorSerializer, description="The survey has expired (`code`: `expired`).")


class SurveyInvitationOutputSerializer(serializers.ModelSerializer):
    about = serializers.CharField(source="about_label", help_text="What the survey is about.")

    class Meta:
        model = SurveyInvitation
        fields = ["token", "about", "expires_at"]
        read_only_fields = fields


class SurveyQuestionSerializer(serializers.Serializer):
    name = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=["scale", "yes_no", "text", "category"])
    required = serializers.BooleanField()  # type: ignore[assignment]  # a field, popped by the metaclass


class SurveyOutputSerializer(serializers.ModelSerializer):
    about = serializers.CharField(source="about_label", help_text="What the survey is about.")
    about_type = serializers.CharField(help_text="ticket, conversation, review_case or recovery.")
    questions = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField(help_text="The choices of `category`.")

    class Meta:
        model = SurveyInvitation
        fields = ["token", "about", "about_type", "expires_at", "questions", "categories"]
        read_only_fields = fields

    @extend_schema_field(SurveyQuestionSerializer(many=True))
    def get_questions(self, invitation: SurveyInvitation) -> list[dict[str, Any]]:
        return SURVEY_QUESTIONS

    @extend_schema_field(serializers.ListField(child=serializers.DictField(child=serializers.CharField())))
    def get_categories(self, invitation: SurveyInvitation) -> list[dict[str, str]]:
        return [{"value": value, "label": str(label)} for value, label in Category.choices]


class SurveyAnswerInputSerializer(serializers.Serializer):
    """Documents the body; the service checks it (so the page and the API refuse alike)."""

    overall = serializers.IntegerField(min_value=1, max_value=5)
    ease = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    clear_solution = serializers.BooleanField(required=False, allow_null=True)
    response_time_ok = serializers.BooleanField(required=False, allow_null=True)
    issues = serializers.CharField(required=False, allow_blank=True, help_text="What went wrong.")
    suggestions = serializers.CharField(required=False, allow_blank=True, help_text="What could be improved.")
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)


class SurveyAnswerOutputSerializer(serializers.ModelSerializer):
    # Declared: a read-only model field loses ``allow_blank`` and the schema would refuse "".
    category = serializers.ChoiceField(choices=Category.choices, allow_blank=True, read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "overall",
            "satisfied",
            "ease",
            "clear_solution",
            "response_time_ok",
            "issues",
            "suggestions",
            "category",
            "is_feature_request",
            "created_at",
        ]
        read_only_fields = fields


ANSWER_FIELDS = ("overall", "ease", "clear_solution", "response_time_ok", "issues", "suggestions", "category")


class SurveyListApi(generics.ListAPIView):
    # The caller's open survey invitations, the soonest to expire first.
    permission_classes = [IsAuthenticatedUser]
    serializer_class = SurveyInvitationOutputSerializer
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["expires_at", "id"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema's pass: no caller
            return SurveyInvitation.objects.none()
        return survey_invitation_list_open(user=self.request.user, now=timezone.now())  # type: ignore[arg-type]

    @extend_schema(
        summary="My open survey invitations",
        responses={200: SurveyInvitationOutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class SurveyApi(APIView):
    # A survey by its token: no login, throttled per client address.
    permission_classes = [AllowAnyone]
    authentication_classes: list[Any] = []
    throttle_classes = [SurveyTokenThrottle]

    @extend_schema(
        summary="A survey: what it is about and its questions (no login; records nothing)",
        responses={200: SurveyOutputSerializer, **error_responses(404, 409, 429), 410: GONE},
        auth=[],
    )
    def get(self, request: Request, token: str) -> Response:
        invitation = invitation_answerable(survey_invitation_get_by_token(token=token), now=timezone.now())
        return Response(SurveyOutputSerializer(invitation).data)

    @extend_schema(
        summary="Answer a survey (no login; single use)",
        request=SurveyAnswerInputSerializer,
        responses={201: SurveyAnswerOutputSerializer, **error_responses(400, 404, 409, 429), 410: GONE},
        auth=[],
    )
    def post(self, request: Request, token: str) -> Response:
        data = request.data if hasattr(request.data, "get") else {}
        unknown = sorted(set(data) - set(ANSWER_FIELDS)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        answers = {name: data.get(name) for name in ANSWER_FIELDS if name in data}
        response = survey_answer(
            token=token,
            overall=answers.pop("overall", None),
            **answers,
            now=timezone.now(),
        )
        return Response(SurveyAnswerOutputSerializer(response).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern | URLResolver] = [
    path("surveys/", SurveyListApi.as_view(), name="surveys-list"),
    path("surveys/<str:token>/", SurveyApi.as_view(), name="surveys-detail"),
]
