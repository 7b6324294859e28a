"""Searching text for a part of a word ("man" finds "Mansour"), fast on PostgreSQL at London size.

A search for text anywhere in a column (`ILIKE '%term%'`) cannot use an ordinary index, so on PostgreSQL the
searched columns have trigram indexes (the `pg_trgm` extension, GIN): the database finds the rows holding the
term's three-letter pieces without reading the table. On SQLite, which has no trigram index (a small team's
database, small enough to scan), the same declaration makes an empty partial index (`WHERE 0`), so the models
and the migrations are the same on both databases.

`contains_text` is the one condition to search with: case-insensitive, `%` and `_` taken literally.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DDL, ColumnElement, Index, event, text

from resettle.db import Base

TRIGRAM_EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm"

# Tables made from the models (tests, `db create_all`) need the extension before the first trigram index.
event.listen(Base.metadata, "before_create", DDL(TRIGRAM_EXTENSION).execute_if(dialect="postgresql"))


def trigram_index(name: str, column: str) -> Index:
    """A GIN trigram index on `column` on PostgreSQL; an empty index on SQLite."""
    return Index(
        name,
        column,
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
        sqlite_where=text("0"),
    )


LIKE_ESCAPE = "/"


def contains_text(column: Any, term: str) -> ColumnElement[bool]:
    """`column` holds `term` anywhere, ignoring case; wildcard characters in `term` match only themselves.

    `ILIKE` on PostgreSQL (which the trigram index serves; `lower(column) LIKE` would not use it), `lower() LIKE
    lower()` on SQLite."""
    escaped = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    condition: ColumnElement[bool] = column.ilike(f"%{escaped}%", escape=LIKE_ESCAPE)
    return condition
