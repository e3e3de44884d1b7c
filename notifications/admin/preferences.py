"""Users' notification preferences in the console, for support to read when someone asks why an
email came (or did not): a read-only list, and the same on each user's page (inlines added to the
user admin through the site's registry: accounts, below notifications, may not import this).
Users change their own on ``/settings/notifications/`` (or a store's owner for its members)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from core.console import ReadOnlyAdmin
from notifications.models import NotificationPreference, NotificationSettings


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "group", "delivery", "updated_by", "updated_at")
    list_filter = ("group", "delivery")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "updated_by")
    fields = ("user", "group", "delivery", "updated_by", "updated_at")
    readonly_fields = fields


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(ReadOnlyAdmin):
    list_display = ("user", "deadline_email_now", "updated_by", "updated_at")
    list_filter = ("deadline_email_now",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "updated_by")
    fields = ("user", "deadline_email_now", "updated_by", "updated_at")
    readonly_fields = fields


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserNotificationPreferenceInline(_ReadOnlyInline):
    """The groups the user chose (the others follow the role's default)."""

    model = NotificationPreference
    fk_name = "user"
    fields = ("group", "delivery", "updated_by", "updated_at")
    readonly_fields = fields
    verbose_name = "notification preference (groups not listed: the role's default)"
    verbose_name_plural = "notification preferences (groups not listed: the role's default)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[NotificationPreference]:
        return super().get_queryset(request).select_related("updated_by")


class UserNotificationSettingsInline(_ReadOnlyInline):
    model = NotificationSettings
    fk_name = "user"
    fields = ("deadline_email_now", "updated_by", "updated_at")
    readonly_fields = fields
    verbose_name = "notification switch (none: deadline notices email now)"
    verbose_name_plural = "notification switches (none: deadline notices email now)"


_user_admin = type(admin.site.get_model_admin(User))
_user_admin.inlines = [*_user_admin.inlines, UserNotificationPreferenceInline, UserNotificationSettingsInline]
