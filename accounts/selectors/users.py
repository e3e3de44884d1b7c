"""Reads for accounts, scoped to the acting user."""

from collections.abc import Collection

from django.db.models import Q, QuerySet

from accounts.models import STAFF_ROLES, Role, User


def is_staff_member(user: User) -> bool:
    """Platform staff (support, moderator, finance, integration) and admins see across tenants."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def is_staff_whose_work_it_is(user: User, *, roles: Collection[str], permission: str) -> bool:
    """Staff who may read a tenant's private records of one kind (buyer-seller conversations, the
    support queue, a buyer's cases): admins, the staff ``roles`` named, and staff granted
    ``permission`` (directly or by a group). Being staff alone is not enough: finance and the
    integration client see no private conversation, as in the console. No query for a non-staff
    user (the permission is only looked up for staff accounts)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.role == Role.ADMIN or user.role in roles:
        return True
    return bool(user.is_staff and user.has_perm(permission))


def user_has_permission(user: User, permission: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(permission))


def user_list(*, actor: User) -> QuerySet[User]:
    """Users the actor may see: everyone for staff with ``accounts.view_user``, else only themselves.
    A machine account (role ``integration``) works with the accounts it may create: buyers and
    sellers (and itself), never the staff's."""
    if user_has_permission(actor, "accounts.view_user"):
        queryset = User.objects.all()
        if actor.role == Role.INTEGRATION and not actor.is_superuser:
            queryset = queryset.filter(Q(role__in=(Role.BUYER, Role.SELLER), is_superuser=False) | Q(pk=actor.pk))
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
