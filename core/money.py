"""Money helpers. Amounts are ``Decimal``; rounding happens once, half-up, to the currency's cents."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(amount: object, currency: str) -> str:
    """``19.99 USD``: an amount as the console and the messages show it."""
    return f"{amount} {currency}"
