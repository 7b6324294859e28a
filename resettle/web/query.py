"""Reading list filters from the query string with the same bounds as forms (resettle/bounds.py): text
without control characters and of a sane length, ids and page numbers that fit their columns, real dates.
A value out of bounds reads as "no filter" (or the first page): a bookmark never breaks a list page."""

from __future__ import annotations

from datetime import date

from flask import request

from resettle.bounds import MAX_PAGE, MAX_QUERY_TEXT_LENGTH, clean_text, parse_id, parse_whole_number


def query_text(name: str, max_length: int = MAX_QUERY_TEXT_LENGTH) -> str:
    return str(clean_text(request.args.get(name, "")))[:max_length].strip()


def query_id(name: str) -> int | None:
    return parse_id(query_text(name))


def query_page(name: str = "page") -> int:
    number = parse_whole_number(query_text(name)) if "," not in request.args.get(name, "") else None
    return number if number is not None and 1 <= number <= MAX_PAGE else 1


def query_date(name: str) -> date | None:
    """A date written 2026-11-01; anything else, None."""
    text = query_text(name, 10)
    try:
        return date.fromisoformat(text) if len(text) == 10 and text.isascii() else None
    except ValueError:
        return None
