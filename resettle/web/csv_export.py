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
CHUNK_CHARACTERS = 64 * 1024

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Stop spreadsheet programs from running text that looks like a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def streamed_rows(statement: Select[Any], to_row: Callable[[Any], Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Rows of a query read in batches while the response is sent (run lazily, after the request's own commit),
    so an export of any size holds only one batch in memory and has no row cap."""
    result = db.session.execute(statement.execution_options(yield_per=STREAM_BATCH)).scalars()
    for record in result:
        yield to_row(record)


def streamed_columns(statement: Select[Any], to_row: Callable[[Any], Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """As `streamed_rows`, for a statement of plain columns: no record is built per row, which is what makes an
    export of hundreds of thousands of rows take seconds rather than minutes."""
    for row in db.session.execute(statement.execution_options(yield_per=STREAM_BATCH)):
        yield to_row(row)


def streamed_groups(statement: Select[Any], key: Callable[[Any], Any]) -> Iterator[list[Any]]:
    """As `streamed_columns`, for a statement of plain columns outer-joined to a list (an offer and its items):
    consecutive rows with the same `key` gathered into one list, so a record and all it lists come from the one
    statement, however many records there are. The statement must be ordered by the key first."""
    rows = db.session.execute(statement.execution_options(yield_per=STREAM_BATCH))
    for _, group in itertools.groupby(rows, key):
        yield list(group)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """Stream the CSV in chunks as the rows come: memory stays flat however many rows there are."""

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            # csv_safe, written out: it runs for every value of every row.
            writer.writerow(["'" + v if isinstance(v, str) and v[:1] in FORMULA_STARTS else v for v in row])
            if buffer.tell() >= CHUNK_CHARACTERS:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
