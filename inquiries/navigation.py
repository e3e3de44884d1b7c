"""The inquiry pages in the header (``core.navigation``): the seller dashboard for a store's
members (where they land) and everyone's messages (where buyers land). For a store's member
"Messages" is the store's inbox on the dashboard; their own purchases stay one link away in the
footer ("My purchases")."""

from typing import Any

from core.navigation import NavLink, register_nav_link
from marketplace.selectors.scoping import user_is_any_seller_member


def _messages_page(user: Any) -> str:
    return "seller-inbox" if user_is_any_seller_member(user) else "messages"


register_nav_link(
    NavLink("Seller dashboard", "seller-dashboard", position=10, shown_to=user_is_any_seller_member, landing=20)
)
register_nav_link(
    NavLink("Messages", "messages", position=20, shown_to=lambda user: True, landing=30, url_name_for=_messages_page)
)
