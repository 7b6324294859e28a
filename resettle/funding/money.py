"""Money typed by people (pounds) to integer pence and back, without floating point."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from resettle.bounds import MAX_PENCE
from resettle.bounds import pounds as pounds_and_pence

# ASCII digits only: "\d" would take Arabic-Indic digits, which Decimal then reads as numbers.
POUNDS_PATTERN = re.compile(r"^£?\s*([0-9]{1,3}(,[0-9]{3})+|[0-9]{1,12})(\.[0-9]{1,2})?$")


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
        raise MoneyError(f"Amount must be {pounds_and_pence(MAX_PENCE)} or less")
    return pence


def pounds_text(pence: int) -> str:
    """124950 -> '1249.50', the form a field shows back for editing."""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}.{rest:02d}"
