"""Money in minor units: exact, per currency, and strict about what it accepts."""

from __future__ import annotations

import pytest

from crossdesk.commerce.money import MoneyError, check_currency, format_minor, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("19.90", "USD", 1990), (19.9, "USD", 1990), ("1,299.00", "EUR", 129900), (1500, "JPY", 1500),
     ("1.250", "KWD", 1250), ("0", "BRL", 0), ("0.10", "USD", 10)],
)  # fmt: skip
def test_amounts_become_exact_minor_units(amount: str | float, currency: str, minor: int) -> None:
    assert to_minor(amount, currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency"), [("10.5", "JPY"), ("1.999", "USD"), ("-1", "USD"), ("abc", "USD"), ("nan", "USD")]
)
def test_what_is_not_an_exact_amount_is_refused(amount: str, currency: str) -> None:
    with pytest.raises(MoneyError):
        to_minor(amount, currency)


def test_currencies_are_checked_and_amounts_printed_in_their_own_precision() -> None:
    assert check_currency(" brl ") == "BRL"
    with pytest.raises(MoneyError, match="USS"):
        check_currency("USS")
    assert format_minor(1990, "USD") == "19.90 USD" and format_minor(1500, "JPY") == "1500 JPY"
    assert format_minor(1250, "KWD") == "1.250 KWD"
