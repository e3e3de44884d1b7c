"""Notifications in the moderators' console: a read-only log of what was sent to whom.

Rows are written by ``notifications.services.notify.notify`` only. The one action here asks the same
service the retry sweep uses to send failed emails again now, instead of waiting for the sweep.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.console import ReadOnlyAdmin
from notifications.models import EmailStatus, Notification, kind_choices
from notifications.services.notify import notification_emails_send


class KindFilter(admin.SimpleListFilter):
    """The registered kinds by label (the column stores the value; each app registers its kinds)."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return kind_choices()

    def queryset(self, request: HttpRequest, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind_label", "title", "is_read", "email_status", "email_attempts")
    list_filter = (KindFilter, "email_status", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__username", "recipient__email")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("recipient",)
    actions = ("retry_email",)
    fieldsets = (
        (None, {"fields": ("recipient", "kind_label", "title", "body", "link", "created_at", "read_at")}),
        ("Email", {"fields": ("email_status", "email_attempts", "email_last_attempt_at", "emailed_at")}),
    )
    readonly_fields = (
        "recipient",
        "kind_label",
        "title",
        "body",
        "link",
        "created_at",
        "read_at",
        "email_status",
        "email_attempts",
        "email_last_attempt_at",
        "emailed_at",
    )

    def has_retry_email_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_notification")

    @admin.display(description="Kind", ordering="kind")
    def kind_label(self, obj: Notification) -> str:
        return obj.get_kind_display()

    @admin.display(description="Read", boolean=True, ordering="read_at")
    def is_read(self, obj: Notification) -> bool:
        return obj.is_read

    @admin.action(description="Send failed emails again now", permissions=["retry_email"])
    def retry_email(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        ids = list(queryset.filter(email_status=EmailStatus.FAILED).values_list("id", flat=True))
        if not ids:
            self.message_user(request, "None of the selected notifications has a failed email.", messages.WARNING)
            return
        result = notification_emails_send(notification_ids=ids, include_failed=True, now=timezone.now())
        self.message_user(
            request,
            f"Emails sent: {result['sent']}, failed again: {result['failed']}.",
            messages.SUCCESS if not result["failed"] else messages.WARNING,
        )
