"""Reads of affiliates, statements and payout batches, scoped to the acting user.

Staff with ``royalty.view_*`` (finance, support, moderators, admins) see every record; anyone else
sees only the affiliates they are: ``Affiliate.user`` is them, or a seller affiliate of a store
they are a member of. Anything outside that set is not found (404)."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from royalty.models import Adjustment, Affiliate, Attribution, PayoutBatch, Statement, StatementLine


def _sees_all(user: User | Any, model: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(f"royalty.view_{model}"))


def own_affiliates_q(user: User | Any, *, prefix: str = "") -> Q:
    """The affiliates ``user`` is: named as its user, or a member of its store."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(**{f"{prefix}user": user}) | Q(**{f"{prefix}seller__memberships__user": user})


def affiliate_list(*, actor: User | Any) -> QuerySet[Affiliate]:
    rows = Affiliate.objects.select_related("seller", "user").order_by("name", "id")
    if _sees_all(actor, "affiliate"):
        return rows
    return rows.filter(pk__in=Affiliate.objects.filter(own_affiliates_q(actor)).values("pk"))


def attribution_list(*, actor: User | Any) -> QuerySet[Attribution]:
    rows = Attribution.objects.select_related("affiliate", "order", "product").order_by("-sold_at", "-id")
    if _sees_all(actor, "attribution"):
        return rows
    return rows.filter(affiliate__in=affiliate_list(actor=actor).values("pk"))


def statement_list(*, actor: User | Any) -> QuerySet[Statement]:
    """The statements ``actor`` may see, with their affiliate and approvers (no line)."""
    rows = Statement.objects.select_related("affiliate", "approved_by", "second_approver").order_by(
        "-start", "affiliate__name", "id"
    )
    if _sees_all(actor, "statement"):
        return rows
    return rows.filter(affiliate__in=Affiliate.objects.filter(own_affiliates_q(actor)).values("pk"))


def statement_list_with_lines(*, actor: User | Any) -> QuerySet[Statement]:
    """``statement_list`` with every line (and its author) and adjustment: two more queries."""
    return statement_list(actor=actor).prefetch_related(
        Prefetch("lines", queryset=StatementLine.objects.select_related("author").order_by("id")),
        Prefetch(
            "adjustments",
            queryset=Adjustment.objects.select_related("requested_by", "decided_by").order_by("requested_at", "id"),
        ),
    )


def adjustment_list(*, actor: User | Any) -> QuerySet[Adjustment]:
    rows = Adjustment.objects.select_related("statement", "statement__affiliate", "requested_by").order_by(
        "-requested_at", "-id"
    )
    if _sees_all(actor, "adjustment"):
        return rows
    return rows.filter(statement__in=statement_list(actor=actor).values("pk"))


def payout_batch_list(*, actor: User | Any) -> QuerySet[PayoutBatch]:
    """Payout batches: staff who read them only (a batch spans affiliates)."""
    rows = PayoutBatch.objects.select_related("created_by").order_by("-created_at", "-id")
    if _sees_all(actor, "payoutbatch"):
        return rows
    return rows.none()
