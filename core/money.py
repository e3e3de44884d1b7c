"""Money helpers. Amounts are ``Decimal``; rounding happens once, half-up, to the currency's cents."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
