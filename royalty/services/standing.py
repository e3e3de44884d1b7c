"""Rewards and penalties that change something: a seller's standing feeds its royalty tier.

The latest standing decided for a seller up to the statement's quarter (``inquiries``: badge /
warning / penalty, an override by staff winning over the decided level; generation's ``_figures``
reads it) moves the seller affiliate's performance tiers:

- ``responsive`` (the badge): every figure that has a value climbs one step up its tier ladder
  (no tier reached yet: the first tier; the top tier stays the top);
- ``penalty``: no multiplier above 1.0 — the bonuses are withheld, a tier below 1.0 still applies;
- ``good``, ``warning``, ``not_rated`` or no decision yet: the tiers as the figures reach them.

Generation (``royalty.services.generation``) and the preview call ``standing_tier`` for seller
affiliates, so a statement's line says which standing moved its tier."""

from dataclasses import dataclass
from decimal import Decimal

from inquiries.models import StandingLevel
from royalty.models import PerformanceTier
from royalty.services.rules import TierHit, tier_for

ONE = Decimal("1")


@dataclass(frozen=True)
class StandingTier:
    hit: TierHit
    multiplier: Decimal
    standing: str | None
    effect: str  # what the standing did, for the line's explanation ("" when nothing)


def standing_tier(
    tiers: list[PerformanceTier], *, metric: str, kind: str, value: Decimal | None, standing: str | None
) -> StandingTier:
    """The tier and multiplier a figure earns (``rules.tier_for``) once the seller's standing is
    applied."""
    hit = tier_for(tiers, metric=metric, kind=kind, value=value)
    multiplier = hit.tier.multiplier if hit.tier else ONE
    if standing == StandingLevel.RESPONSIVE and value is not None and hit.next_tier is not None:
        # One step up: the tier the next tier's threshold reaches, and the one above it.
        stepped = tier_for(tiers, metric=metric, kind=kind, value=hit.next_tier.min_value)
        lifted = stepped.tier.multiplier if stepped.tier else multiplier
        return StandingTier(
            hit=stepped,
            multiplier=lifted,
            standing=standing,
            effect=f"responsive badge: one tier up (x{lifted.normalize()} instead of x{multiplier.normalize()})",
        )
    if standing == StandingLevel.PENALTY and multiplier > ONE:
        return StandingTier(
            hit=hit,
            multiplier=ONE,
            standing=standing,
            effect=f"penalty standing: x{multiplier.normalize()} withheld (x1)",
        )
    return StandingTier(hit=hit, multiplier=multiplier, standing=standing, effect="")
