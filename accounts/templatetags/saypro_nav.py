"""The header navigation, by role: every page extending ``base.html`` shows the same menu."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from accounts.models import Role
from marketplace.models import SellerMembership

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    is_current: bool


@register.simple_tag(takes_context=True)
def nav_items(context: dict[str, Any]) -> list[NavItem]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return []
    entries: list[tuple[str, str]] = []
    is_console_user = user.is_superuser or user.is_staff or user.role in {Role.SUPPORT, Role.MODERATOR, Role.FINANCE}
    if SellerMembership.objects.filter(user_id=user.pk).exists():
        entries.append(("Seller dashboard", reverse("seller-dashboard")))
    entries.append(("Messages", reverse("messages")))
    entries.append(("Reviews", reverse("reviews")))
    entries.append(("Notifications", reverse("notifications:list")))
    if is_console_user:
        entries.append(("Console", reverse("admin:index")))
    if user.role == Role.INTEGRATION or user.is_superuser:
        entries.append(("API docs", reverse("api-docs")))
    path = request.path
    return [NavItem(label, url, path == url or (url != "/" and path.startswith(url))) for label, url in entries]
