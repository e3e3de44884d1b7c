"""The notifications page in the header (``core.navigation``)."""

from core.navigation import NavLink, register_nav_link

register_nav_link(NavLink("Notifications", "notifications:list", position=40, shown_to=lambda user: True))
