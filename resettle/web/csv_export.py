"""CSV downloads, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flask import Response, stream_with_context
from sqlalchemy import Select

from resettle.extensions import db

STREAM_BATCH = 1000
# Rows written between two pieces of the response: few enough to keep memory flat, enough that the work per
# piece (a yield, a buffer read) is shared by many rows.
CHUNK_ROWS = 500

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_STARTS = frozenset(FORMULA_STARTS)


def csv_safe(value: Any) -> Any:
    """Stop spreadsheet programs from running text that looks like a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _safe_row(row: Sequence[Any]) -> Sequence[Any]:
    """`csv_safe` for every value of a row. It runs for every row, so a row is first only looked over (a value's
    class and first character) and copied only when one of its values needs the guard."""
    for value in row:
        if (value.__class__ is str or isinstance(value, str)) and value[:1] in _FORMULA_STARTS:
            return [csv_safe(v) for v in row]
    return row


def streamed_rows(statement: Select[Any], to_row: Callable[[Any], Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Rows of a query read in batches while the response is sent (run lazily, after the request's own commit),
    so an export of any size holds only one batch in memory and has no row cap."""
    result = db.session.execute(statement.execution_options(yield_per=STREAM_BATCH)).scalars()
    for record in result:
        yield to_row(record)


def streamed_columns(statement: Select[Any], to_row: Callable[[Any], Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """As `streamed_rows`, for a statement of plain columns: no record is built per row, which is what makes an
    export of hundreds of thousands of rows take seconds rather than minutes."""
    return map(to_row, _column_rows(statement))


def _column_rows(statement: Select[Any]) -> Iterator[Any]:
    """The rows of a statement of plain columns, read in batches on the session's connection: the same SQL and
    values as through the session, without the work the session does for each row to load records. Run lazily,
    when the first row is wanted."""
    yield from db.session.connection().execute(statement.execution_options(yield_per=STREAM_BATCH))


def streamed_groups(statement: Select[Any], key: Callable[[Any], Any]) -> Iterator[list[Any]]:
    """As `streamed_columns`, for a statement of plain columns outer-joined to a list (an offer and its items):
    consecutive rows with the same `key` gathered into one list, so a record and all it lists come from the one
    statement, however many records there are. The statement must be ordered by the key first."""
    for _, group in itertools.groupby(_column_rows(statement), key):
        yield list(group)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """Stream the CSV in chunks as the rows come: memory stays flat however many rows there are."""

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        rows_left = iter(rows)
        while chunk := list(itertools.islice(rows_left, CHUNK_ROWS)):
            writer.writerows(map(_safe_row, chunk))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
