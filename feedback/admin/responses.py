"""The survey answers in the console: read-only (answers are the customers'; a re-categorisation
is a service of its own). The Feedback & CSAT report links here with the rows behind each figure:
``created_at__gte`` / ``created_at__lt`` (the period), ``category``, ``seller``, ``agent``,
``channel``, ``interaction_type``, ``satisfied__exact`` and ``issues__icontains`` (a recurring
keyword) — local-field lookups the admin accepts in the query string."""

from django.contrib import admin

from core.console import ReadOnlyAdmin
from feedback.models import SurveyResponse


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "overall",
        "satisfied",
        "category",
        "interaction_type",
        "channel",
        "seller",
        "agent",
        "issues",
        "suggestions",
    )
    list_filter = ("satisfied", "category", "interaction_type", "channel", "is_feature_request")
    search_fields = ("issues", "suggestions", "invitation__about_label")
    list_select_related = ("seller", "agent")
    show_full_result_count = False
