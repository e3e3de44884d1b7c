from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.console import ReadOnlyAdmin
from feedback.admin.recategorise import RecategorisableAdmin, RecategorisationInline
from feedback.models import SurveyInvitation, SurveyResponse


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    """Who was asked about what, and where each invitation is (scheduled, sent, answered,
    withdrawn). Written by ``survey_request`` and the survey sweep only."""

    list_display = ("about_label", "about_type", "customer", "channel", "status", "send_after", "sent_at", "expires_at")
    list_filter = ("status", "about_type", "channel", "category", ("sent_at", admin.DateFieldListFilter))
    search_fields = ("about_label", "customer__username", "customer__email")
    list_select_related = ("customer",)
    date_hierarchy = "created_at"
    exclude = ("token",)  # the link's key: whoever holds it may answer
    readonly_fields = (
        "about_type",
        "about_id",
        "about_label",
        "about_url",
        "customer",
        "seller",
        "agent",
        "order",
        "channel",
        "category",
        "topic",
        "resolved_at",
        "resolution_seconds",
        "status",
        "send_after",
        "sent_at",
        "reminded_at",
        "expires_at",
        "answered_at",
        "withdrawn_at",
        "created_at",
    )


@admin.register(SurveyResponse)
class SurveyResponseAdmin(RecategorisableAdmin):
    """The customers' answers, read-only; staff re-categorise (audited)."""

    list_display = (
        "created_at",
        "overall",
        "satisfied",
        "_said",
        "category",
        "category_source",
        "is_feature_request",
        "interaction_type",
        "channel",
        "seller",
        "agent",
    )
    list_filter = (
        "satisfied",
        "overall",
        "category",
        "category_source",
        "is_feature_request",
        "interaction_type",
        "channel",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("issues", "suggestions", "invitation__about_label")
    list_select_related = ("seller", "agent")
    date_hierarchy = "created_at"
    readonly_fields = (
        "invitation",
        "overall",
        "satisfied",
        "ease",
        "clear_solution",
        "response_time_ok",
        "issues",
        "suggestions",
        "category",
        "category_source",
        "is_feature_request",
        "interaction_type",
        "channel",
        "seller",
        "agent",
        "order",
        "resolution_seconds",
        "created_at",
    )
    inlines = (RecategorisationInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SurveyResponse]:
        return super().get_queryset(request).select_related("invitation", "seller", "agent", "order")

    @admin.display(description="What they said")
    def _said(self, obj: SurveyResponse) -> str:
        text = " / ".join(part for part in (obj.issues, obj.suggestions) if part)
        return text if len(text) <= 80 else text[:79].rsplit(" ", 1)[0] + "…"

    def _is_feature_request(self, obj: SurveyResponse) -> bool:
        return obj.is_feature_request

    def _label(self, obj: SurveyResponse) -> str:
        text = " / ".join(part for part in (obj.issues, obj.suggestions) if part)
        return f"{obj.overall}/5 about {obj.invitation.about_label}: {text or '(no text)'}"
