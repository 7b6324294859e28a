"""How amounts and dates are written for people, the same on pages, in emails, in exports and in histories.
Plain functions with no Flask or database, so services and templates can both use them."""

from __future__ import annotations

from datetime import date


def format_pence(pence: int | None) -> str:
    """Money is held as integer pence; shown as pounds."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def date_in_words(value: date | None) -> str:
    """21 December 2026: how dates are written on pages, in emails and in histories."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"
