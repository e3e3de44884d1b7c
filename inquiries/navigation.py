"""The inquiry pages in the header (``core.navigation``): the seller dashboard for a store's
members (where they land) and everyone's messages (where buyers land)."""

from core.navigation import NavLink, register_nav_link
from marketplace.selectors.scoping import user_is_any_seller_member

register_nav_link(
    NavLink("Seller dashboard", "seller-dashboard", position=10, shown_to=user_is_any_seller_member, landing=20)
)
register_nav_link(NavLink("Messages", "messages", position=20, shown_to=lambda user: True, landing=30))
