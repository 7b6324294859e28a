"""The API's marshmallow fields keep the same bounds as the forms: no control characters, column lengths,
dates inside their window, JSON numbers and booleans only."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from marshmallow import Schema, ValidationError

from resettle.bounds import CERTIFICATE
from resettle.web.schema_fields import Text, WindowDate, json_boolean, whole_number


class Example(Schema):
    reason = Text(max_length=10, name="Reason")
    note = Text(max_length=20, name="Note", multiline=True)
    checked_on = WindowDate(window=CERTIFICATE, name="The date of the check")
    count = whole_number(1, 5, "Count must be between 1 and 5")
    flag = json_boolean()


def _errors(app: Flask, data: dict[str, Any]) -> dict[str, Any]:
    with app.app_context(), pytest.raises(ValidationError) as refused:
        Example().load(data)
    return dict(refused.value.messages)  # type: ignore[arg-type]


def test_text_is_stripped_and_kept_to_its_length(app: Flask) -> None:
    with app.app_context():
        assert Example().load({"reason": "  too far ", "note": "two\nlines"}) == {
            "reason": "too far",
            "note": "two\nlines",
        }
    assert _errors(app, {"reason": "x" * 11}) == {"reason": ["Reason must be 10 characters or fewer"]}
    with app.app_context():
        assert Example().load({"reason": "a\nb\t"}) == {"reason": "a b"}  # one line, as a form field keeps it
    assert _errors(app, {"note": "nul\x00"}) == {"note": ["Note must not contain control characters"]}


def test_dates_must_be_real_and_inside_their_window(app: Flask) -> None:
    assert _errors(app, {"checked_on": "0001-01-01"})["checked_on"][0].startswith(
        "The date of the check must be the same as or after"
    )
    assert _errors(app, {"checked_on": "2026-02-30"}) == {"checked_on": ["Not a valid date."]}
    assert _errors(app, {"checked_on": "٢٠٢٦-٠١-٠١"}) == {
        "checked_on": ["The date of the check must be a real date, like 2026-11-01"]
    }


def test_numbers_and_booleans_are_json_ones(app: Flask) -> None:
    for value in ("3", 3.0, True, 6):
        assert "count" in _errors(app, {"count": value})
    for value in ("yes", 1, "true"):
        assert "flag" in _errors(app, {"flag": value})
    with app.app_context():
        assert Example().load({"count": 3, "flag": False}) == {"count": 3, "flag": False}
