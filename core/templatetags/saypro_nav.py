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
    user = getattr(request, "user", None)
    links = [(link.label, link.url_for(user)) for link in nav_links_for(user)]
    # One current item: the link whose page is the longest prefix of this one (on
    # /seller/reviews/ that is "Reviews", not also the dashboard at /seller/).
    matches = [url for _, url in links if path == url or (url != "/" and path.startswith(url.split("#")[0]))]
    current = max(matches, key=lambda url: len(url.split("#")[0]), default=None)
    return [NavItem(label, url, url == current) for label, url in links]
