"""URL converters with bounds: an `<int:...>` id in a URL is ASCII digits and fits the id column, so a
40-digit id answers 404 like any unknown one, instead of overflowing the database's integer."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from resettle.bounds import MAX_DATABASE_ID


class BoundedIntegerConverter(IntegerConverter):
    regex = r"[0-9]{1,12}"  # werkzeug's \d+ would also take Arabic-Indic digits

    def __init__(self, map: object, *args: object, **kwargs: object) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]


def init_converters(app: Flask) -> None:
    """Replace the `int` converter for every route; must run before the blueprints are registered."""
    app.url_map.converters["int"] = BoundedIntegerConverter
