"""The royalty page in the header (``core.navigation``): for whoever has statements to see — a
store's members when the store is an affiliate (its page on the seller dashboard), a partner's or
sales team's own users (``/royalty/``)."""

from typing import Any

from core.navigation import NavLink, register_nav_link
from royalty.models import AffiliateKind
from royalty.selectors.mine import affiliate_list_own


def _kinds(user: Any) -> set[str]:
    cached = getattr(user, "_royalty_kinds", None)
    if cached is None:
        cached = set(affiliate_list_own(user=user).values_list("kind", flat=True))
        user._royalty_kinds = cached
    return cached


def _page(user: Any) -> str:
    return "seller-royalty" if AffiliateKind.SELLER in _kinds(user) else "royalty"


register_nav_link(
    NavLink("Royalty", "royalty", position=38, shown_to=lambda user: bool(_kinds(user)), url_name_for=_page)
)
