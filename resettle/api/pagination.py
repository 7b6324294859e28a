"""Cursor pagination: a page of records after an opaque cursor, in a fixed order ending with a unique column.

    statement = select(Family).where(...)            # the page's own filters
    page = keyset_page(statement, [desc(Family.updated_at), desc(Family.id)], args)
    return page                                       # serialised by page_schema(FamilySchema)

The cursor holds the sort values of the last record sent (base64 of JSON), so the next page starts after it
even when records are added meanwhile. Sort columns must not be null.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, and_, or_
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.operators import desc_op

from resettle.api.errors import field_error
from resettle.extensions import db

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
CURSOR_MAX_LENGTH = 500


class PageArgsSchema(Schema):
    """Query arguments of every list; a list's filters subclass it."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"How many records per page (1 to {MAX_LIMIT})"},
    )
    cursor = fields.String(
        validate=[validate.Length(min=1, max=CURSOR_MAX_LENGTH), validate.Regexp(r"^[A-Za-z0-9_-]+$")],
        metadata={"description": "The `next_cursor` of the page before; leave out for the first page"},
    )


def page_schema(item_schema: type[Schema], name: str | None = None) -> type[Schema]:
    """The schema of a page of `item_schema`: `{"items": [...], "next_cursor": "..." or null}`."""
    schema_name = name or item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass as `cursor` for the next page; null on the last page"},
            ),
        },
        name=schema_name,
    )


@dataclass
class Page:
    items: list[Any] = field(default_factory=list)
    next_cursor: str | None = None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if hasattr(value, "value") and not isinstance(value, int | str):  # an enum
        return value.value
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text),) = value.items()
        if kind == "t" and isinstance(text, str):
            return datetime.fromisoformat(text)
        if kind == "d" and isinstance(text, str):
            return date.fromisoformat(text)
        raise ValueError("unknown cursor value")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("unknown cursor value")
    return value


def encode_cursor(values: list[Any]) -> str:
    text = json.dumps([_encode_value(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    """The sort values in a cursor; a 422 on `cursor` if it was not made by this API for this order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != length:
            raise ValueError("wrong length")
        return [_decode_value(value) for value in values]
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        field_error(422, "cursor", "Use the next_cursor of an earlier page of this list")


def _column_and_direction(order: ColumnElement[Any]) -> tuple[Any, bool]:
    if isinstance(order, UnaryExpression) and order.modifier is desc_op:
        return order.element, True
    if isinstance(order, UnaryExpression):
        return order.element, False
    return order, False


def _after(order_by: list[ColumnElement[Any]], values: list[Any]) -> ColumnElement[bool]:
    """Rows after `values` in this order: (a > x) or (a = x and b > y) or ..., each with its own direction."""
    alternatives = []
    for index, order in enumerate(order_by):
        column, descending = _column_and_direction(order)
        equal_before = [_column_and_direction(order_by[i])[0] == values[i] for i in range(index)]
        beyond = column < values[index] if descending else column > values[index]
        alternatives.append(and_(*equal_before, beyond))
    return or_(*alternatives)


def keyset_page(
    statement: Select[Any],
    order_by: list[ColumnElement[Any]],
    args: dict[str, Any],
    values_of: Callable[[Any], list[Any]] | None = None,
) -> Page:
    """One page of `statement` (selecting one entity) in `order_by` order (its last column unique), after
    `args["cursor"]`. `values_of(record)` gives the sort values of a record, by default its attributes named
    as the sort columns."""
    limit = int(args.get("limit") or DEFAULT_LIMIT)
    cursor = args.get("cursor")
    if cursor:
        statement = statement.where(_after(order_by, decode_cursor(cursor, len(order_by))))
    rows = list(db.session.execute(statement.order_by(None).order_by(*order_by).limit(limit + 1)).scalars())
    page = Page(items=rows[:limit])
    if len(rows) > limit:
        last = rows[limit - 1]
        if values_of is not None:
            values = values_of(last)
        else:
            values = [getattr(last, _column_and_direction(order)[0].key) for order in order_by]
        page.next_cursor = encode_cursor(values)
    return page
