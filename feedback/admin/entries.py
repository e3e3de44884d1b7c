from django.contrib import admin

from feedback.admin.recategorise import RecategorisableAdmin, RecategorisationInline
from feedback.models import EntryKind, FeedbackEntry


@admin.register(FeedbackEntry)
class FeedbackEntryAdmin(RecategorisableAdmin):
    """The feedback log from every page, read-only; staff re-categorise (audited)."""

    list_display = ("created_at", "interface", "kind", "category", "category_source", "rating", "short_body", "user")
    list_filter = (
        "kind",
        "interface",
        "category",
        "category_source",
        "rating",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("body", "page")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "interface",
        "user",
        "rating",
        "body",
        "page",
        "kind",
        "category",
        "category_source",
        "created_at",
    )
    inlines = (RecategorisationInline,)

    @admin.display(description="Feedback")
    def short_body(self, obj: FeedbackEntry) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    def _is_feature_request(self, obj: FeedbackEntry) -> bool:
        return obj.kind == EntryKind.FEATURE_REQUEST

    def _label(self, obj: FeedbackEntry) -> str:
        return f"{obj.get_interface_display()}: {obj.body}"
