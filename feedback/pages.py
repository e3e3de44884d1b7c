"""Which interface a page is (the "Feedback" control knows only the page's path), and where it
is safe to send a visitor back to."""

from django.utils.http import url_has_allowed_host_and_scheme

from feedback.models import Interface

# The first prefix that matches decides; anything else is read as the storefront (product page).
PREFIXES: list[tuple[str, str]] = [
    ("/seller/", Interface.SELLER_DASHBOARD),
    ("/messages/", Interface.MESSAGING),
    ("/support/", Interface.SUPPORT),
    ("/help/", Interface.SUPPORT),
    ("/surveys/", Interface.SUPPORT),
    ("/reviews/", Interface.REVIEWS),
    ("/checkout", Interface.CHECKOUT),
    ("/orders/", Interface.CHECKOUT),
    ("/products/", Interface.PRODUCT_PAGE),
]


def interface_for_path(path: str) -> str:
    for prefix, interface in PREFIXES:
        if path.startswith(prefix):
            return interface
    return Interface.PRODUCT_PAGE


def safe_back(path: str) -> str:
    """``path`` if it is one of this site's pages (a relative path), else ``/``."""
    if path.startswith("/") and not path.startswith("//") and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return path
    return "/"
