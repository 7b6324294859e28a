"""The API's marshmallow fields keep the same bounds as the forms: dates inside their window, JSON numbers and
booleans only; and a PATCH schema loads only what was sent."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from marshmallow import Schema, ValidationError

from resettle.bounds import CERTIFICATE
from resettle.web.schema_fields import WindowDate, changes_schema, json_boolean, whole_number


class Example(Schema):
    checked_on = WindowDate(window=CERTIFICATE, name="The date of the check")
    count = whole_number(1, 5, "Count must be between 1 and 5")
    flag = json_boolean()


def _errors(app: Flask, data: dict[str, Any]) -> dict[str, Any]:
    with app.app_context(), pytest.raises(ValidationError) as refused:
        Example().load(data)
    return dict(refused.value.messages)  # type: ignore[arg-type]


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


def test_a_changes_schema_loads_only_what_was_sent(app: Flask) -> None:
    changes = changes_schema(Example, "ExampleChangesSchema")
    with app.app_context():
        assert changes().load({}) == {}
        assert changes().load({"count": 2}) == {"count": 2}
        with pytest.raises(ValidationError):
            changes().load({"count": 9})
