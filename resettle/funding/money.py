"""Money typed by people (pounds) to integer pence and back, without floating point."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

POUNDS_PATTERN = re.compile(r"^£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")
MAX_PENCE = 1_000_000_000  # £10m: far above any single line or rule, and inside a 32-bit integer column


class MoneyError(ValueError):
    pass


def parse_pounds(text: str) -> int:
    """'£1,249.5' -> 124950. Refuses more than two decimal places rather than rounding someone's money."""
    cleaned = text.strip()
    if not POUNDS_PATTERN.match(cleaned):
        raise MoneyError("Enter an amount in pounds and pence, like 149.99")
    try:
        pounds = Decimal(cleaned.lstrip("£").strip().replace(",", ""))
    except InvalidOperation:
        raise MoneyError("Enter an amount in pounds and pence, like 149.99") from None
    pence = int(pounds * 100)
    if pence > MAX_PENCE:
        raise MoneyError("Amount must be £10,000,000 or less")
    return pence


def pounds_text(pence: int) -> str:
    """124950 -> '1249.50', the form a field shows back for editing."""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}.{rest:02d}"
