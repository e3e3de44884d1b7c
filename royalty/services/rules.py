"""The rules in force: which rule set applies to a period, a sale's commission rate (as one SQL
expression, so generation computes every sale's commission in the database), and the performance
tier a figure reaches."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Value, When

from core.exceptions import InvalidInput
from core.periods import Period
from royalty.models import AffiliateKind, Basis, CommissionRate, PerformanceTier, RuleSet

COMMISSION_FIELD = DecimalField(max_digits=20, decimal_places=6)
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
    """The rate one sale earns (the Python twin of ``commission_expression``, for the preview)."""
    matching = [
        rate
        for rate in rates
        if rate.affiliate_kind == kind
        and (rate.product_id is None or rate.product_id == product_id)
        and (not rate.category or rate.category == category)
    ]
    return min(matching, key=lambda rate: (rate_specificity(rate), rate.id), default=None)


def _value(rate: CommissionRate) -> Any:
    if rate.basis == Basis.FLAT:
        return Value(rate.value, output_field=COMMISSION_FIELD)
    return ExpressionWrapper(F("amount") * Value(rate.value / HUNDRED), output_field=COMMISSION_FIELD)


def commission_expression(rates: Iterable[CommissionRate], *, kind: str) -> Any:
    """A CASE over an ``Attribution`` row giving its commission for affiliates of ``kind``: the
    product's rate, else the category's, else the kind's default, else 0 (no rate: no commission).
    Rule sets hold a handful to a few hundred rates; the CASE is evaluated in the database."""
    ordered = sorted(
        (rate for rate in rates if rate.affiliate_kind == kind), key=lambda rate: (rate_specificity(rate), rate.id)
    )
    whens = []
    default: Any = Value(Decimal("0"), output_field=COMMISSION_FIELD)
    for rate in ordered:
        specificity = rate_specificity(rate)
        if specificity == 0:
            whens.append(When(product_id=rate.product_id, then=_value(rate)))
        elif specificity == 1:
            whens.append(When(category=rate.category, then=_value(rate)))
        elif isinstance(default, Value):
            default = _value(rate)
    if not whens:
        return default
    return Case(*whens, default=default, output_field=COMMISSION_FIELD)


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
