"""Money as integers of the currency's minor unit: "19.90" USD is 1990, "1500" JPY is 1500, "1.250" KWD is
1250. Never floats: a refund must not lose a cent to rounding."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# ISO 4217 minor units where they are not 2 (the currencies cross-border sellers meet).
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3}
_CODE = re.compile(r"^[A-Z]{3}$")
# Currencies the desk accepts: a typo ("USS") is a rejected row, not a new currency.
KNOWN = frozenset(
    "USD EUR GBP CNY HKD TWD JPY KRW SGD MYR THB IDR VND PHP INR AUD NZD CAD MXN BRL CLP COP PEN ARS RUB "
    "UAH PLN CZK HUF RON SEK NOK DKK CHF TRY ILS AED SAR QAR KWD BHD OMR JOD EGP ZAR NGN KES MAD ISK".split()
)


class MoneyError(ValueError):
    pass


def check_currency(code: str) -> str:
    code = code.strip().upper()
    if not _CODE.match(code) or code not in KNOWN:
        raise MoneyError(f"unknown currency {code!r}")
    return code


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


def to_minor(amount: str | int | float, currency: str) -> int:
    """A decimal amount as written in a file ("19.90", 19.9, "1,299.00") in minor units; it must not
    be negative or carry more decimals than the currency has."""
    text = str(amount).strip().replace(",", "") if not isinstance(amount, int) else str(amount)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {amount!r}") from exc
    if not value.is_finite() or value < 0:
        raise MoneyError(f"not an amount: {amount!r}")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{amount!r} has more decimals than {currency} has")
    return int(scaled)


def format_minor(minor: int, currency: str) -> str:
    """1990, "USD" -> "19.90 USD"."""
    places = exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f} {currency}"
