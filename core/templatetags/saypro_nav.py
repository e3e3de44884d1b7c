"""The header navigation, by role: every page extending ``base.html`` shows the same menu, made
of the links the apps register (``core.navigation``)."""

from dataclasses import dataclass
from typing import Any

from django import template

from core.navigation import nav_links_for

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    is_current: bool


@register.simple_tag(takes_context=True)
def nav_items(context: dict[str, Any]) -> list[NavItem]:
    request = context.get("request")
    if request is None:
        return []
    path = request.path
    items = []
    for link in nav_links_for(getattr(request, "user", None)):
        url = link.url
        items.append(NavItem(link.label, url, path == url or (url != "/" and path.startswith(url))))
    return items
