"""The help desk's page in the header (``core.navigation``): the buyer's support requests."""

from core.navigation import NavLink, register_nav_link

register_nav_link(NavLink("Support", "support", position=35, shown_to=lambda user: True))
