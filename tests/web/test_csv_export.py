"""The CSV writer of every export: the formula guard on each value, and the same bytes whatever the chunking."""

from __future__ import annotations

import csv
import enum
import io
from datetime import date
from typing import Any

from flask import Flask

from resettle.web.csv_export import CHUNK_ROWS, FORMULA_STARTS, csv_response, csv_safe


class Code(enum.StrEnum):
    MINUS = "-1"


def _body(app: Flask, header: list[str], rows: list[Any]) -> str:
    with app.test_request_context():
        response = csv_response("x.csv", header, iter(rows))
        return b"".join(response.iter_encoded()).decode()


def _plain(header: list[str], rows: list[Any]) -> str:
    """What the export must write: every value through `csv_safe`, one writer, one buffer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return buffer.getvalue()


def test_every_formula_start_is_neutralised_wherever_it_sits_in_the_row(app: Flask) -> None:
    rows: list[Any] = [("plain", 1, None, date(2026, 1, 2), f"{start}SUM(A1)") for start in FORMULA_STARTS]
    rows += [(f"{start}cmd", "plain", -5) for start in FORMULA_STARTS]
    rows += [(Code.MINUS, "ok"), ("", 0, "a=b"), ["list", "+1"]]
    text = _body(app, ["a", "b", "c", "d", "e"], rows)
    read = list(csv.reader(io.StringIO(text)))
    for start, row in zip(FORMULA_STARTS, read[1:], strict=False):
        assert row == ["plain", "1", "", "2026-01-02", f"'{start}SUM(A1)"]
    for start, row in zip(FORMULA_STARTS, read[1 + len(FORMULA_STARTS) :], strict=False):
        assert row == [f"'{start}cmd", "plain", "-5"]  # a number is left alone, text is not
    assert read[-3:] == [["'-1", "ok"], ["", "0", "a=b"], ["list", "'+1"]]
    assert text == _plain(["a", "b", "c", "d", "e"], rows)


def test_the_bytes_are_the_same_across_chunks_and_for_no_rows(app: Flask) -> None:
    rows = [
        (n, f"line {n}", "=x" if n % 7 == 0 else "y", 'quote " and, comma\nbreak') for n in range(CHUNK_ROWS * 2 + 3)
    ]
    for count in (0, 1, CHUNK_ROWS, CHUNK_ROWS + 1, len(rows)):
        assert _body(app, ["n", "text", "f", "q"], rows[:count]) == _plain(["n", "text", "f", "q"], rows[:count])
