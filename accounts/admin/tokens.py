"""API tokens in the moderators' console: who holds one, when it was issued and when it expires,
and "Revoke" (the next call with it is 401). Replaces rest_framework.authtoken's own page, which
shows the keys and lets anyone with the permission mint tokens for other users."""

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework.authtoken.models import TokenProxy

from accounts.services.tokens import token_expired, token_expires_at, tokens_revoke
from core.console import ReadOnlyAdmin, ServiceCall, admin_link, badge, bulk_service_action

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(ReadOnlyAdmin):
    list_display = ("user_link", "created", "expires", "state")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    ordering = ("-created",)
    fields = ("user_link", "created", "expires", "state")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="User", ordering="user__username")
    def user_link(self, token: TokenProxy) -> str:
        return admin_link(token.user)

    @admin.display(description="Expires")
    def expires(self, token: TokenProxy) -> datetime:
        return token_expires_at(token)

    @admin.display(description="State")
    def state(self, token: TokenProxy) -> Any:
        return (
            badge("expired", "superseded") if token_expired(token, now=timezone.now()) else badge("active", "resolved")
        )

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("authtoken.delete_tokenproxy"))

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[TokenProxy]) -> HttpResponse | None:
        def run(token: TokenProxy, call: ServiceCall) -> int:
            return tokens_revoke(user=token.user)

        return bulk_service_action(self, request, queryset, run=run, verb="Revoked", label=lambda t: str(t.user))
