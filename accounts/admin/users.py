"""The users' page of the moderators' console.

Django's own ``UserAdmin`` (password handling, groups, permissions) with the platform ``role`` and
the audit timestamps added. Seller memberships are shown as an inline contributed by
``marketplace.admin.catalog`` through the admin site's registry: accounts sits below marketplace
and does not import it.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.dateparse import parse_datetime

from accounts.models import User
from core.timeline import customer_sections, customer_timeline

TIMELINE_PAGE_SIZE = 50


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_staff", "is_active", "date_joined")
    list_filter = ("role", "is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("username", "email", "first_name", "last_name")
    date_hierarchy = "date_joined"
    ordering = ("-date_joined", "-id")
    readonly_fields = ("last_login", "date_joined", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Platform role", {"fields": ("role",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "role", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_urls(self) -> list[URLPattern]:
        timeline = path(
            "<path:object_id>/timeline/",
            self.admin_site.admin_view(self.timeline_view),
            name="accounts_user_timeline",
        )
        return [timeline, *super().get_urls()]

    def timeline_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The customer's timeline (``core.timeline``: every app's entries about them, newest
        first, a page at a time; ``?before=`` the older pages) and what the apps count about them
        (recurring problems). Staff who may view users; anyone else never reaches the console."""
        customer = self.get_object(request, unquote(object_id))
        if customer is None:
            raise Http404
        if not self.has_view_permission(request, customer):
            raise PermissionDenied
        before: datetime | None = None
        if "before" in request.GET:
            try:
                before = parse_datetime(request.GET["before"])
            except ValueError:
                before = None
            if before is None or before.tzinfo is None:
                return HttpResponseBadRequest("before: a date and time with its offset, e.g. 2026-12-07T09:30:00+00:00")
        page = customer_timeline(customer.pk, limit=TIMELINE_PAGE_SIZE, before=before)
        here = reverse("admin:accounts_user_timeline", args=[customer.pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": customer,
            "title": f"Customer timeline: {customer.display_name}",
            "customer": customer,
            "entries": page.entries,
            "sections": customer_sections(customer.pk),
            "before": before,
            "newest_url": here,
            "older_url": f"{here}?{urlencode({'before': page.older_before.isoformat()})}" if page.older_before else "",
            "page_size": TIMELINE_PAGE_SIZE,
        }
        return TemplateResponse(request, "admin/accounts/user/timeline.html", context)

    def get_inlines(self, request: HttpRequest, obj: User | None) -> list[type[InlineModelAdmin]]:
        # Like Django's own two-step user creation: the first page asks only for the account; the
        # memberships and the rest are on the change page it leads to.
        return list(self.inlines) if obj is not None else []
