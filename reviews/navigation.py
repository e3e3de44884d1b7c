"""The reviews pages in the header (``core.navigation``): the buyer's reviews and cases."""

from core.navigation import NavLink, register_nav_link

register_nav_link(NavLink("Reviews", "reviews", position=30, shown_to=lambda user: True))
