"""Pagination shared by list pages: a page of rows plus what the GOV.UK pagination component needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from sqlalchemy import Select, func, select

from resettle.extensions import db
from resettle.web.query import query_page

PER_PAGE = 25


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)

    def govuk_params(self) -> dict[str, Any] | None:
        """Parameters for govukPagination, keeping the current filters in each link."""
        if self.pages <= 1:
            return None
        args = request.args.to_dict()

        def link(number: int) -> str:
            return url_for(request.endpoint or "", **{**(request.view_args or {}), **args, "page": number})

        items = []
        for number in range(1, self.pages + 1):
            if number in (1, self.pages) or abs(number - self.page) <= 2:
                items.append({"number": number, "href": link(number), "current": number == self.page})
            elif items and not items[-1].get("ellipsis"):
                items.append({"ellipsis": True})
        params: dict[str, Any] = {"items": items}
        if self.page > 1:
            params["previous"] = {"href": link(self.page - 1)}
        if self.page < self.pages:
            params["next"] = {"href": link(self.page + 1)}
        return params


def requested_page() -> int:
    return query_page()


def row_count(statement: Select[Any]) -> int:
    """How many rows a statement returns, counted by the database."""
    return int(db.session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one())


def paginate(statement: Select[Any], per_page: int = PER_PAGE, page: int | None = None) -> Page:
    """One page of the statement's rows, by Flask-SQLAlchemy's `db.paginate` (two statements: the rows, then the
    count). A page past the end shows the last page, as a link kept from a longer list expects."""
    result = db.paginate(statement, page=page or requested_page(), per_page=per_page, error_out=False)
    total = result.total or 0
    last_page = max(1, -(-total // per_page))
    if result.page > last_page:
        result = db.paginate(statement, page=last_page, per_page=per_page, error_out=False)
    return Page(items=list(result.items), page=result.page, per_page=per_page, total=total)


def page_of(statement: Select[Any], total: int, per_page: int = PER_PAGE, page: int | None = None) -> Page:
    """One page of the statement's rows when their number is already known (`total`, counted with other figures
    the page shows): one statement. A page past the end shows the last page, as `paginate` does."""
    pages = max(1, -(-total // per_page))
    page = min(page or requested_page(), pages)
    items = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)


def list_page(items: Sequence[Any], per_page: int = PER_PAGE, page: int | None = None) -> Page:
    """A page of a list already in memory, for pages whose rows are worked out in Python (not one query)."""
    total = len(items)
    pages = max(1, -(-total // per_page))
    page = min(page or requested_page(), pages)
    return Page(items=list(items[(page - 1) * per_page : page * per_page]), page=page, per_page=per_page, total=total)
