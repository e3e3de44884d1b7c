"""The header navigation and where a signed-in user lands, assembled from what each app offers.

Each app registers its links in its own ``navigation.py`` (found at start-up like ``sweeps``):
a label, a URL name, its place in the header, who sees it, and optionally its rank as a landing
page. The header shows a user the links they may see in ``position`` order; ``/`` sends them to
the lowest-``landing`` link they may see (staff to the console before a seller to the dashboard,
before everyone's messages). A link may lead different users to different pages (``url_name_for``:
a store's member reads "Messages" as the store's inbox, not as their own purchases). Core knows no
app: the apps bring their pages and their rules.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    position: int
    shown_to: Callable[[Any], bool]
    landing: int | None = None
    # The page this link opens for a given user, when it is not ``url_name`` for everyone.
    url_name_for: Callable[[Any], str] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def url_for(self, user: Any) -> str:
        return reverse(self.url_name_for(user)) if self.url_name_for is not None else self.url


_links: dict[str, NavLink] = {}


def register_nav_link(link: NavLink) -> NavLink:
    if link.url_name in _links and _links[link.url_name] != link:
        raise ValueError(f"navigation link {link.url_name!r} is registered twice")
    _links[link.url_name] = link
    return link


def nav_links_for(user: Any) -> list[NavLink]:
    """The links ``user`` sees, in header order (none for an anonymous visitor)."""
    if user is None or not user.is_authenticated:
        return []
    return sorted((link for link in _links.values() if link.shown_to(user)), key=lambda link: link.position)


def landing_url_for(user: Any) -> str | None:
    """Where ``user`` starts: the landing page of the lowest rank among the links they see."""
    landings = [link for link in nav_links_for(user) if link.landing is not None]
    return min(landings, key=lambda link: link.landing or 0).url_for(user) if landings else None
