"""The bounds every value the service accepts must keep, in one place.

Plain constants and functions (no Flask, no WTForms), so that HTML forms (resettle/web/fields.py), query
strings (resettle/web/query.py), services, JSON schemas and `flask check-data` all apply the same rules:
dates within a sensible window per field, numbers that are finite and fit their column, text without
control characters and no longer than its column. Numbers are read from ASCII digits only: "²" and
Arabic-Indic digits pass `str.isdigit()` (and `int()` takes the latter), so they are refused here with the
field's normal message rather than stored or crashing a conversion.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from resettle.errors import FieldError

# Identifiers and counts: 32-bit integer columns everywhere.
MAX_DATABASE_ID = 2**31 - 1
# Page numbers in list URLs: far beyond any real list, small enough for any OFFSET arithmetic.
MAX_PAGE = 100_000

# Money, always integer pence.
MAX_PENCE = 1_000_000_000  # £10m: far above any single line, rule or cost, and inside a 32-bit column
MAX_RENT_PENCE = 1_000_000  # £10,000 a month: above any London rent a family could be housed in
MAX_OFFER_COST_PENCE = 10_000_000  # £100,000 per unit offered

# Needs and offers.
MAX_DISTANCE_KM = 1_000  # the whole of Great Britain fits inside it; anything more is a typing slip
MAX_NEED_UNITS = 100
MAX_BEDROOMS = 12
MAX_OFFER_CAPACITY = 500
MAX_HOURS_PER_WEEK = 40
MAX_AGE_YEARS = 120

# Dates.
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
CASE_HISTORY_YEARS = 15  # UK resettlement schemes with families still supported began in 2014-15
PLANNING_YEARS = 5  # arrivals, offers and deadlines are planned at most this far ahead
RULE_YEARS_AHEAD = 10  # funding rules may be entered for arrivals up to this far ahead
EARLIEST_FILTER_DATE = date(1, 1, 1)  # filters take any real date; queries clamp to what dates can hold

# Free text: the longest any text column holds; each form field also has its column's own limit.
MAX_TEXT_LENGTH = 10_000
MAX_QUERY_TEXT_LENGTH = 200

_ASCII_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")
_ASCII_DECIMAL = re.compile(r"[+-]?[0-9]{1,12}(\.[0-9]{1,12})?")
_LINE_BREAKS = "\t\n\r"


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier when negative); 29 February becomes 28 February."""
    year = min(max(day.year + years, 1), 9999)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


# --- text -------------------------------------------------------------------------------------------------------


def clean_text(value: Any, multiline: bool = False) -> Any:
    """Drop NUL and other control characters (PostgreSQL refuses NUL; the rest are never meant). Line
    breaks and tabs are kept in multi-line text and become spaces in a single line. Not text: unchanged."""
    if isinstance(value, list):
        return [clean_text(item, multiline) for item in value]
    if not isinstance(value, str):
        return value
    if value.isprintable() and not any(character in value for character in _LINE_BREAKS):
        return value  # the usual case, without building a new string
    kept = []
    for character in value:
        if character in _LINE_BREAKS:
            kept.append(character if multiline else " ")
        elif unicodedata.category(character) not in ("Cc", "Cs") and character not in "\ufffe\uffff":
            kept.append(character)
    return "".join(kept)


def has_control_characters(value: str) -> bool:
    return bool(clean_text(value, multiline=True) != value)


# --- numbers ----------------------------------------------------------------------------------------------------


def parse_whole_number(text: str | None) -> int | None:
    """'12' or '-3' (ASCII digits, at most 12 of them, commas allowed between thousands) to an int; anything
    else, including '²', '٣', '1e3', 'inf' and 40-digit numbers, to None."""
    cleaned = (text or "").strip().replace(",", "")
    if not _ASCII_WHOLE_NUMBER.fullmatch(cleaned):
        return None
    return int(cleaned)


def parse_id(text: Any) -> int | None:
    """A database id typed or posted as text: a positive ASCII whole number that fits the column, else None."""
    value = parse_whole_number(text) if isinstance(text, str) and "," not in text else None
    return value if value is not None and 1 <= value <= MAX_DATABASE_ID else None


def parse_decimal(text: str | None) -> Decimal | None:
    """'5', '2.5' or '1,450.50' to a finite Decimal; 'inf', 'nan', '1e309', Unicode digits and anything
    longer than 12 digits each side of the point to None."""
    cleaned = (text or "").strip().replace(",", "")
    if not _ASCII_DECIMAL.fullmatch(cleaned):
        return None
    return Decimal(cleaned)


def is_finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return False
    return (
        math.isfinite(value) if isinstance(value, float) else not (isinstance(value, Decimal) and not value.is_finite())
    )


def in_range(value: Any, minimum: float, maximum: float) -> bool:
    """A finite number within [minimum, maximum]."""
    return is_finite_number(value) and minimum <= value <= maximum


def pounds(pence: int) -> str:
    """1_000_000 -> '£10,000' (whole pounds) or '£12.50', for messages."""
    whole, rest = divmod(pence, 100)
    return f"£{whole:,}" if rest == 0 else f"£{whole:,}.{rest:02d}"


# --- dates ------------------------------------------------------------------------------------------------------


def long_date(day: date) -> str:
    """'1 January 1900', as GOV.UK writes dates."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


@dataclass(frozen=True)
class DateWindow:
    """The dates a field accepts, relative to today. Messages follow the GOV.UK pattern:
    '<Name> must be today or in the past', '<Name> must be the same as or after 1 January 1900'."""

    earliest: Callable[[date], date]
    latest: Callable[[date], date]

    def problem(self, name: str, value: date, today: date) -> str | None:
        earliest, latest = self.earliest(today), self.latest(today)
        if value > latest:
            if latest == today:
                return f"{name} must be today or in the past"
            return f"{name} must be the same as or before {long_date(latest)}"
        if value < earliest:
            if earliest == today:
                return f"{name} must be today or in the future"
            return f"{name} must be the same as or after {long_date(earliest)}"
        return None

    def contains(self, value: date, today: date) -> bool:
        return self.earliest(today) <= value <= self.latest(today)


# A person's date of birth: after 1900 and not in the future.
BIRTH_DATE = DateWindow(lambda today: EARLIEST_BIRTH_DATE, lambda today: today)
# Something that has happened on a case (referral, leaving, a purchase, an inspection): recent past only.
CASE_PAST = DateWindow(lambda today: years_from(today, -CASE_HISTORY_YEARS), lambda today: today)
# A case's dates that may be past or planned (arrival, needed by, a task due): within a few years of today.
CASE_PLANNED = DateWindow(
    lambda today: years_from(today, -CASE_HISTORY_YEARS), lambda today: years_from(today, PLANNING_YEARS)
)
# When an offer is available: a few years either way.
AVAILABILITY = DateWindow(
    lambda today: years_from(today, -PLANNING_YEARS), lambda today: years_from(today, PLANNING_YEARS)
)
# Certificates and checks on an offer (gas safety, electrical report, DBS renewal): up to 10 years either way.
CERTIFICATE = DateWindow(lambda today: years_from(today, -10), lambda today: years_from(today, 10))
# Funding rules and streams: from the first schemes to a few years ahead.
FUNDING_PERIOD = DateWindow(lambda today: date(2000, 1, 1), lambda today: years_from(today, RULE_YEARS_AHEAD))
# Filters and searches: any real date; queries clamp it (see clamp_filter_date).
ANY_REAL_DATE = DateWindow(lambda today: date.min, lambda today: date.max)


def clamp_filter_date(value: date) -> date:
    """A filter's date moved inside what date arithmetic (a day either side) and databases can hold."""
    return min(max(value, date(1, 1, 2)), date(9999, 12, 30))


# --- service checks: the same rules for callers that do not come through a form -----------------------------


# Each raises `error` (the caller's own FieldError subclass, which its views already catch).


def check_whole_number(
    field: str, value: Any, minimum: int, maximum: int, message: str, error: type[FieldError] = FieldError
) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise error(field, message)


def check_number(
    field: str, value: Any, minimum: float, maximum: float, message: str, error: type[FieldError] = FieldError
) -> None:
    if not in_range(value, minimum, maximum):
        raise error(field, message)


def check_date(
    field: str, value: date | None, window: DateWindow, name: str, today: date, error: type[FieldError] = FieldError
) -> None:
    if value is None:
        return
    problem = window.problem(name, value, today)
    if problem:
        raise error(field, problem)


def check_text(
    field: str,
    value: str | None,
    maximum: int,
    name: str,
    multiline: bool = False,
    error: type[FieldError] = FieldError,
) -> None:
    if value is None:
        return
    if clean_text(value, multiline) != value:
        raise error(field, f"{name} must not contain control characters")
    if len(value) > maximum:
        raise error(field, f"{name} must be {maximum:,} characters or fewer")
