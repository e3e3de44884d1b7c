"""API permission classes. The default (settings) is ``DenyAll``: every view opens up explicitly.

Object visibility is not decided here but by the selectors each view fetches through: a record
outside the caller's set is simply not found (404). These classes decide which *actions* a role
may take (403 when it can see the record but may not act on it).
"""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class DenyAll(BasePermission):
    message = "This endpoint has not been opened to any caller."

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class IsAuthenticatedUser(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_active)


class AllowAnyone(BasePermission):
    """For the token endpoint and public, token-keyed resources."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return True


class HasRolePermission(BasePermission):
    """Read for any authenticated user (the selector scopes what they see); each write action needs
    the Django permission the view names in ``action_permissions`` (role groups carry them; each app
    lists its groups' permissions in its ``roles.py``)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        action = getattr(view, "action", None) or (request.method or "").lower()
        required = getattr(view, "action_permissions", {}).get(action)
        if required is None:
            return True
        if callable(required):
            return bool(required(user))
        return bool(user.has_perm(required))


class ApiDocsPermission(BasePermission):
    """The OpenAPI schema and Swagger UI: everyone when ``API_DOCS_PUBLIC`` (development), else
    staff only (production mode). Read per request."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return api_docs_visible_to(request.user)


def api_docs_visible_to(user: Any) -> bool:
    from django.conf import settings

    return bool(settings.API_DOCS_PUBLIC or (user and user.is_authenticated and user.is_active and user.is_staff))
