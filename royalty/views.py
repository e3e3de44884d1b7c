"""The affiliate's pages: their statements (list, and each with every line and its explanation)
and the preview of the month so far.

``/seller/royalty/``: a store's members (the seller dashboard's "Royalty" tab; a store that is not an
affiliate is told so); ``/royalty/``: partners' and sales teams' own users (linked from the
"statement ready" notification). A statement page is for the users of its affiliate. Anything else 404,
like a page that does not exist. Finance works statements in the console, not here."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from core.pages import requested
from marketplace.selectors.scoping import seller_get_chosen
from royalty.models import Affiliate, AffiliateKind, LineKind, StatementStatus
from royalty.selectors.mine import affiliate_list_own, statement_get_own, statement_lines, statement_list_own
from royalty.selectors.preview import affiliate_preview
from royalty.services.visibility import visibility_for_seller, visibility_formula

STATUS_PILL: dict[str, str] = {
    StatementStatus.DRAFT: "pill-soft",
    StatementStatus.APPROVED: "pill-warn",
    StatementStatus.PAID: "pill-ok",
}
LINE_KIND_ORDER = [LineKind.BASE, LineKind.PERFORMANCE, LineKind.CLAWBACK, LineKind.ADJUSTMENT]


FIGURE_LABELS = {
    "sales": "Sales",
    "sales_amount": "Sales amount",
    "commission_unrounded": "Commission before rounding",
    "metric": "Figure",
    "value": "Value",
    "reviews": "Reviews",
    "stars": "Stars",
    "responses": "Survey answers",
    "satisfied": "Satisfied",
    "inquiries": "Inquiries",
    "tier": "Tier reached",
    "next_tier": "Next tier",
    "base": "On base commission",
    "multiplier": "Multiplier",
    "refund_amount": "Refund",
    "refunded_at": "Refunded",
    "order_number": "Order",
    "sale_amount": "Sale amount",
    "commission": "Sale's commission",
    "share": "Share clawed back",
    "standing": "Seller standing",
    "standing_effect": "Standing effect",
    "ruleset": "Rules",
}


def _tier_text(tier: object) -> str:
    if not isinstance(tier, dict):
        return "none"
    return f"from {tier.get('min_value')}, x{tier.get('multiplier')}"


def explain(figures: dict[str, object]) -> list[tuple[str, str]]:
    """A line's ``figures`` as label/text pairs, in a fixed order (what produced the amount)."""
    pairs = []
    for key, label in FIGURE_LABELS.items():
        if key not in figures:
            continue
        value = figures[key]
        if key in ("tier", "next_tier"):
            text = _tier_text(value)
        elif key == "ruleset":
            text = str(value.get("name")) if isinstance(value, dict) else str(value)
        elif key == "refunded_at":
            text = str(value)[:10]
        elif value is None:
            text = "no figure"
        else:
            text = str(value)
        pairs.append((label, text))
    earlier = figures.get("earlier_lines")
    if earlier not in (None, "0", "0.00"):
        pairs.append(("Correction of earlier lines", f"{earlier} → {figures.get('target')}"))
    return pairs


def _statements(user: User, affiliate: Affiliate) -> list[dict[str, object]]:
    return [
        {"statement": statement, "pill": STATUS_PILL.get(statement.status, "pill-soft")}
        for statement in statement_list_own(user=user, affiliate=affiliate)
    ]


def _page(request: HttpRequest, affiliate: Affiliate, **extra: object) -> HttpResponse:
    user = cast(User, request.user)
    now = timezone.now()
    context = {
        "affiliate": affiliate,
        "preview": affiliate_preview(affiliate=affiliate, now=now),
        "statements": _statements(user, affiliate),
        "now": now,
        **extra,
    }
    return render(request, "royalty/affiliate.html", context)


@require_GET
@login_required
def seller_royalty(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    seller, sellers = seller_get_chosen(user=user, wanted=requested(request, "seller"))
    affiliate = Affiliate.objects.filter(seller=seller, kind=AffiliateKind.SELLER).first()
    if affiliate is None:
        # The dashboard's "Royalty" tab is there for every store: say what it would hold.
        return render(request, "royalty/not_affiliate.html", {"seller": seller, "sellers": sellers})
    visibility = visibility_for_seller(seller=seller, now=timezone.now())
    return _page(
        request,
        affiliate,
        seller=seller,
        sellers=sellers,
        visibility=visibility,
        formula=visibility_formula(),
    )


@require_GET
@login_required
def affiliate_royalty(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    affiliates = [affiliate for affiliate in affiliate_list_own(user=user) if affiliate.kind != AffiliateKind.SELLER]
    if not affiliates:
        raise Http404("No royalty statements for this account")
    wanted = requested(request, "affiliate")
    affiliate = next((a for a in affiliates if str(a.pk) == wanted), None) if wanted else affiliates[0]
    if affiliate is None:
        raise Http404("Not one of your affiliates")
    return _page(request, affiliate, affiliates=affiliates)


@require_GET
@login_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    statement = statement_get_own(user=user, pk=pk)
    if statement is None:
        raise Http404("No such statement")
    lines = list(statement_lines(statement).select_related("author"))
    for line in lines:
        line.explanation = explain(line.figures or {})  # type: ignore[attr-defined]
    groups = [
        {"kind": kind, "label": LineKind(kind).label, "lines": [line for line in lines if line.kind == kind]}
        for kind in LINE_KIND_ORDER
    ]
    back = "seller-royalty" if statement.affiliate.kind == AffiliateKind.SELLER else "royalty"
    context = {
        "statement": statement,
        "affiliate": statement.affiliate,
        "groups": [group for group in groups if group["lines"]],
        "line_count": len(lines),
        "pill": STATUS_PILL.get(statement.status, "pill-soft"),
        "back": back,
    }
    return render(request, "royalty/statement.html", context)
