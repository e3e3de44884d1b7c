"""The account pages: landing and login/logout (Django's views, our templates). Where a user
lands is the landing page of the apps' navigation links they may see (``core.navigation``): the
console for staff (``accounts.navigation``), the seller dashboard for a store's members, the
messages for everyone else."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from core.navigation import landing_url_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    landing = landing_url_for(request.user) if request.user.is_authenticated else None
    if landing is not None:
        return redirect(landing)
    return render(request, "accounts/home.html")
