"""Reads for accounts, scoped to the acting user."""

from django.db.models import QuerySet

from accounts.models import STAFF_ROLES, User


def is_staff_member(user: User) -> bool:
    """Platform staff (support, moderator, finance, integration) and admins see across tenants."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def user_has_permission(user: User, permission: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(permission))


def _with_sellers(queryset: QuerySet[User]) -> QuerySet[User]:
    # The user serializer shows each user's sellers: two extra queries for the whole page.
    return queryset.prefetch_related("seller_memberships__seller")


def user_list(*, actor: User) -> QuerySet[User]:
    """Users the actor may see: everyone for staff with ``accounts.view_user``, else only themselves."""
    if user_has_permission(actor, "accounts.view_user"):
        queryset = User.objects.all()
    elif actor.is_authenticated and actor.is_active:
        queryset = User.objects.filter(pk=actor.pk)
    else:
        queryset = User.objects.none()
    return _with_sellers(queryset.order_by("id"))


def user_get_self(*, actor: User) -> User:
    return _with_sellers(User.objects.filter(pk=actor.pk)).get()


def staff_in_groups(*group_names: str) -> list[User]:
    """Active members of the staff groups named, each once: one query whatever the groups."""
    return list(User.objects.filter(is_active=True, groups__name__in=group_names).distinct().order_by("id"))
