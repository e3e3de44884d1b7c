"""The rules in force: which rule set applies to a period, a sale's commission rate (in Python for
one sale, as one SQL CASE for generation's aggregate), and the performance tier a figure reaches."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from core.exceptions import InvalidInput
from core.periods import Period
from royalty.models import AffiliateKind, Basis, CommissionRate, PerformanceTier, RuleSet

HUNDRED = Decimal("100")


def ruleset_in_force(day: date) -> RuleSet | None:
    """The rule set whose validity covers ``day`` (``valid_from <= day < valid_to``); the latest
    ``valid_from`` when several do (a newer version narrows an open-ended older one)."""
    return (
        RuleSet.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)
        .order_by("-valid_from", "-id")
        .first()
    )


def ruleset_for_period(period: Period) -> RuleSet:
    """The rule set in force at the period's start; 400 on ``period`` without one."""
    ruleset = ruleset_in_force(period.start.date())
    if ruleset is None:
        raise InvalidInput(
            f"No royalty rule set is in force on {period.start.date():%Y-%m-%d}: add one in the console first.",
            code="no_rules",
            field="period",
        )
    return ruleset


def rate_specificity(rate: CommissionRate) -> int:
    """Product rates win over category rates, which win over the kind's default."""
    if rate.product_id is not None:
        return 0
    return 1 if rate.category else 2


def rate_amount(rate: CommissionRate, amount: Decimal) -> Decimal:
    """One sale's commission under ``rate``, unrounded."""
    if rate.basis == Basis.FLAT:
        return rate.value
    return amount * rate.value / HUNDRED


def rate_for_sale(
    rates: Iterable[CommissionRate], *, kind: str, product_id: int | None, category: str
) -> CommissionRate | None:
    """The rate one sale earns (the Python twin of ``commission_sql``, for clawbacks and the preview)."""
    matching = [
        rate
        for rate in rates
        if rate.affiliate_kind == kind
        and (rate.product_id is None or rate.product_id == product_id)
        and (not rate.category or rate.category == category)
    ]
    return min(matching, key=lambda rate: (rate_specificity(rate), rate.id), default=None)


# One sale's commission is exact to 8 places: an amount in cents times a rate of 4 places over 100.
COMMISSION_PLACES = Decimal("0.00000001")


def commission_sum(value: Any) -> Decimal:
    """The database's sum of ``commission_sql`` as a Decimal, unrounded: rounded to cents once,
    half up, by the line that pays it. PostgreSQL's numeric sum is exact; SQLite adds decimals as
    floats, so its sum is brought back to the 8 places an exact one has. Rounding to fewer places
    first would round twice: 0.0249995 became 0.025000 and then 0.03 where once is 0.02."""
    return Decimal(str(value)).quantize(COMMISSION_PLACES)


def commission_sql(
    rates: Iterable[CommissionRate], *, kind: str, product: str, category: str, amount: str
) -> tuple[str, list[Any]]:
    """A SQL CASE giving one sale's commission (unrounded) from its affiliate's kind, product,
    category and amount (the column expressions named): the product's rate, else the category's,
    else the kind's default, else 0 (no rate: no commission). Generation sums it over every sale in
    one statement; rule sets hold a handful to a few hundred rates."""
    ordered = sorted(rates, key=lambda rate: (rate_specificity(rate), rate.id))
    parts: list[str] = []
    params: list[Any] = []
    for rate in ordered:
        specificity = rate_specificity(rate)
        condition = f"{kind} = %s"
        condition_params: list[Any] = [rate.affiliate_kind]
        if specificity == 0:
            condition += f" AND {product} = %s"
            condition_params.append(rate.product_id)
        elif specificity == 1:
            condition += f" AND {category} = %s"
            condition_params.append(rate.category)
        if rate.basis == Basis.FLAT:
            value_sql, value_params = "%s", [rate.value]
        else:
            value_sql, value_params = f"{amount} * %s", [rate.value / HUNDRED]
        parts.append(f"WHEN {condition} THEN {value_sql}")
        params += [*condition_params, *value_params]
    if not parts:
        return "0", []
    return f"CASE {' '.join(parts)} ELSE 0 END", params


@dataclass(frozen=True)
class TierHit:
    tier: PerformanceTier | None
    next_tier: PerformanceTier | None  # the next one up, for the preview ("what would move it")


def tier_for(tiers: Iterable[PerformanceTier], *, metric: str, kind: str, value: Decimal | None) -> TierHit:
    """The tier with the highest ``min_value`` that ``value`` reaches (None: no figure or below
    every tier), and the next tier up."""
    ladder = sorted(
        (tier for tier in tiers if tier.metric == metric and tier.applies_to_kind(kind)),
        key=lambda tier: (tier.min_value, tier.id),
    )
    if value is None:
        return TierHit(tier=None, next_tier=ladder[0] if ladder else None)
    reached = [tier for tier in ladder if value >= tier.min_value]
    above = [tier for tier in ladder if value < tier.min_value]
    return TierHit(tier=reached[-1] if reached else None, next_tier=above[0] if above else None)


def validate_kinds(kinds: Iterable[str]) -> list[str]:
    """``applies_to`` of a tier: known affiliate kinds, each once."""
    chosen = list(dict.fromkeys(kinds))
    unknown = [kind for kind in chosen if kind not in AffiliateKind.values]
    if unknown:
        raise InvalidInput(f"Unknown affiliate kinds: {', '.join(unknown)}.", code="invalid", field="applies_to")
    return chosen
