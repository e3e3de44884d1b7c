"""What a caller may see of webhooks: an administrator every endpoint, an integration client its own,
everyone else nothing (``None``: the API answers 403, the caller's role has no part in webhooks)."""

from django.db.models import QuerySet

from accounts.models import Role, User
from webhooks.models import Delivery, Endpoint


def user_sees_all_endpoints(user: User) -> bool:
    return bool(user.is_active and user.is_superuser)


def user_manages_webhooks(user: User) -> bool:
    """May this user read and register endpoints at all (its own, or every one)?"""
    if not (user.is_authenticated and user.is_active):
        return False
    return user_sees_all_endpoints(user) or (user.role == Role.INTEGRATION and user.has_perm("webhooks.add_endpoint"))


def endpoint_list(*, actor: User) -> QuerySet[Endpoint]:
    endpoints = Endpoint.objects.select_related("owner")
    if user_sees_all_endpoints(actor):
        return endpoints.order_by("id")
    if user_manages_webhooks(actor):
        return endpoints.filter(owner=actor).order_by("id")
    return endpoints.none()


def delivery_list(*, endpoint: Endpoint) -> QuerySet[Delivery]:
    """The endpoint's deliveries, newest first, with their event (the attempts are read per
    delivery, on its detail)."""
    return (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .defer("event__payload")
        .order_by("-created_at", "-id")
    )
