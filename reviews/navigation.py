"""The reviews pages in the header (``core.navigation``): the buyer's reviews and cases, or for a
store's member the store's reviews."""

from typing import Any

from core.navigation import NavLink, register_nav_link
from marketplace.selectors.scoping import user_is_any_seller_member


def _reviews_page(user: Any) -> str:
    return "seller-reviews" if user_is_any_seller_member(user) else "reviews"


register_nav_link(NavLink("Reviews", "reviews", position=30, shown_to=lambda user: True, url_name_for=_reviews_page))
