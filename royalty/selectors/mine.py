"""Which affiliates and statements a user may see from the pages and the preview API.

Finance and admins (``royalty.change_statement``) see every affiliate. Anyone else sees the
affiliates that are theirs: the affiliate's own user (a partner's or sales team's sign-in) and, for
a seller affiliate, the store's members. Anything else is a 404, like a record that does not exist.
"""

from django.db.models import Q, QuerySet

from accounts.models import User
from marketplace.selectors.scoping import member_seller_ids
from royalty.models import Affiliate, Statement, StatementLine
from royalty.services.common import user_is_finance


def own_affiliates_q(user: User) -> Q:
    return Q(user_id=user.pk) | Q(seller_id__in=member_seller_ids(user))


def affiliate_list_own(*, user: User) -> QuerySet[Affiliate]:
    """The user's own affiliates (staff included: finance sees its own here, every one elsewhere)."""
    if not (user.is_authenticated and user.is_active):
        return Affiliate.objects.none()
    return Affiliate.objects.filter(own_affiliates_q(user)).select_related("seller").order_by("name", "id")


def affiliate_get_visible(*, user: User, pk: int) -> Affiliate | None:
    """The affiliate for its own users, finance and admins; None (a 404) for anyone else."""
    if not (user.is_authenticated and user.is_active):
        return None
    rows = Affiliate.objects.select_related("seller")
    if not user_is_finance(user):
        rows = rows.filter(own_affiliates_q(user))
    return rows.filter(pk=pk).first()


def statement_list_own(*, user: User, affiliate: Affiliate) -> QuerySet[Statement]:
    """An affiliate's statements, newest first (the caller checked the affiliate is the user's)."""
    return Statement.objects.filter(affiliate=affiliate).order_by("-start", "-id")


def statement_get_own(*, user: User, pk: int) -> Statement | None:
    """One of the user's own affiliates' statements, with its lines; None (a 404) otherwise."""
    if not (user.is_authenticated and user.is_active):
        return None
    return (
        Statement.objects.filter(affiliate__in=affiliate_list_own(user=user), pk=pk)
        .select_related("affiliate", "payout_batch")
        .first()
    )


def statement_lines(statement: Statement) -> QuerySet[StatementLine]:
    return statement.lines.order_by("id")
