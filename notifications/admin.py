"""Notifications in the moderators' console: a read-only log of what was sent to whom.

Rows are written by ``notifications.services.notify`` only. The one action here asks the same
service the retry sweep uses to send failed emails again now, instead of waiting for the sweep.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from notifications.models import EmailStatus, Notification
from notifications.services import notification_emails_send


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "is_read", "email_status", "email_attempts")
    list_filter = ("kind", "email_status", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "recipient__username", "recipient__email")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("recipient",)
    actions = ("retry_email",)
    fieldsets = (
        (None, {"fields": ("recipient", "kind", "title", "body", "link", "created_at", "read_at")}),
        ("Email", {"fields": ("email_status", "email_attempts", "email_last_attempt_at", "emailed_at")}),
    )
    readonly_fields = (
        "recipient",
        "kind",
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_email_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_notification")

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
