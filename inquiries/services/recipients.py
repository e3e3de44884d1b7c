"""Who is told: one query per group of recipients, whatever the batch size."""

from collections import defaultdict
from collections.abc import Iterable

from accounts.models import User
from marketplace.models import SellerMembership


def seller_members_by_seller(seller_ids: Iterable[int]) -> dict[int, list[User]]:
    members: dict[int, list[User]] = defaultdict(list)
    memberships = SellerMembership.objects.filter(seller_id__in=set(seller_ids), user__is_active=True).select_related(
        "user"
    )
    for membership in memberships:
        members[membership.seller_id].append(membership.user)
    return members


def staff_in_groups(*group_names: str) -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name__in=group_names).distinct().order_by("id"))
