"""Counting the rows of a list whatever its size: exact while that is cheap, the planner's estimate beyond.

On PostgreSQL an exact count of half a million audit rows reads them all on every page view. So `count_rows`
counts at most `EXACT_UP_TO + 1` matching rows (cheap, and exact for any list of ordinary length) and, past
that, gives the query planner's estimate (`EXPLAIN`, which reads only the table's statistics), which the page
shows as "about N". SQLite (a small team's database) always counts exactly. Always the same statements for
a database, so a page's number of statements does not depend on the data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from resettle.extensions import db

EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class RowCount:
    value: int
    exact: bool

    @property
    def rounded(self) -> int:
        """An estimate to two significant figures (532,118 → 530,000): no more precise than it is."""
        if self.exact or self.value < 100:
            return self.value
        scale: int = 10 ** (int(math.log10(self.value)) - 1)
        return round(self.value / scale) * scale


class Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON) <statement>` on PostgreSQL, with the statement's parameters bound as usual."""

    inherit_cache = False

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _compile_explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + str(compiler.process(element.statement, **kw))


def estimated_rows(statement: Select[Any]) -> int:
    """The PostgreSQL planner's estimate of the rows `statement` returns (from statistics, reading no rows)."""
    plan = db.session.execute(Explain(statement.order_by(None))).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def count_rows(statement: Select[Any], exact_up_to: int = EXACT_UP_TO) -> RowCount:
    """How many rows `statement` returns: exact up to `exact_up_to`, estimated beyond on PostgreSQL."""
    rows: Select[Any] = statement.order_by(None).with_only_columns(literal_column("1"), maintain_column_froms=True)
    if db.session.get_bind().dialect.name != "postgresql":
        return RowCount(int(db.session.execute(select(func.count()).select_from(rows.subquery())).scalar_one()), True)
    bounded = select(func.count()).select_from(rows.limit(exact_up_to + 1).subquery())
    counted = int(db.session.execute(bounded).scalar_one())
    estimate = estimated_rows(statement)
    if counted <= exact_up_to:
        return RowCount(counted, True)
    return RowCount(max(estimate, counted), False)
