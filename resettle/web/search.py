"""Search boxes on list pages: what was typed as a LIKE pattern, and the taxonomy's item kinds and categories
whose names contain it (so "bed" finds a need for a cot bed by its code, not only by free text)."""

from __future__ import annotations

from resettle.taxonomy import ITEM_KINDS, Category

LIKE_ESCAPE = "\\"
# Long enough for a family name or an offer reference; the query string is bounded before this too.
MAX_SEARCH_LENGTH = 100


def like_pattern(text: str) -> str:
    """`text` anywhere in a value, with LIKE's wildcards taken literally (use with escape=LIKE_ESCAPE)."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def item_kinds_named(text: str) -> list[str]:
    """Codes of the item kinds whose name (or code) contains `text`."""
    wanted = text.strip().lower()
    if not wanted:
        return []
    return sorted(code for code, kind in ITEM_KINDS.items() if wanted in kind.label.lower() or wanted in code)


def categories_named(text: str) -> list[Category]:
    wanted = text.strip().lower()
    if not wanted:
        return []
    return [category for category in Category if wanted in category.label.lower()]
