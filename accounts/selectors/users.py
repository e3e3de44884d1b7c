"""Reads for accounts, scoped to the acting user."""

from django.db.models import QuerySet

from accounts.models import STAFF_ROLES, User


def is_staff_member(user: User) -> bool:
    """Platform staff (support, moderator, finance, integration) and admins see across tenants."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def user_has_permission(user: User, permission: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(permission))


def user_list(*, actor: User) -> QuerySet[User]:
    """Users the actor may see: everyone for staff with ``accounts.view_user``, else only themselves."""
    if user_has_permission(actor, "accounts.view_user"):
        queryset = User.objects.all()
    elif actor.is_authenticated and actor.is_active:
        queryset = User.objects.filter(pk=actor.pk)
    else:
        queryset = User.objects.none()
    return queryset.order_by("id")


def user_list_self(*, actor: User) -> QuerySet[User]:
    """The actor's own row (as a queryset, so callers can add what they show)."""
    return User.objects.filter(pk=actor.pk)


def staff_in_groups(*group_names: str) -> list[User]:
    """Active members of the staff groups named, each once: one query whatever the groups."""
    return list(User.objects.filter(is_active=True, groups__name__in=group_names).distinct().order_by("id"))
