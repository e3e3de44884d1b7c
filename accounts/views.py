"""The account pages: landing and login/logout (Django's views, our templates). Where a user
lands — the buyer's messages, the seller dashboard — are the inquiry pages (``inquiries.views``)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import Role, User
from marketplace.models import SellerMembership

# Staff roles that work in the moderators' console. Integration users are API clients; they have
# is_staff through their group, so they land in the console too, where their tokens are managed.
CONSOLE_ROLES = frozenset({Role.SUPPORT, Role.MODERATOR, Role.FINANCE, Role.ADMIN})


def landing_url_for(user: User) -> str:
    """Where a signed-in user starts: staff in the console, seller members on their dashboard,
    everyone else (every user can buy) in their messages."""
    if user.is_superuser or user.is_staff or user.role in CONSOLE_ROLES:
        return reverse("admin:index")
    if SellerMembership.objects.filter(user_id=user.pk).exists():
        return reverse("seller-dashboard")
    return reverse("messages")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(landing_url_for(request.user))
    return render(request, "accounts/home.html")
