"""The buyer's orders in the header (``core.navigation``): every user can buy."""

from core.navigation import NavLink, register_nav_link

register_nav_link(NavLink("Orders", "orders", position=25, shown_to=lambda user: True))
