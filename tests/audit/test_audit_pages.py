"""The audit log at any size: pages found by a (time, id) key rather than an offset, filter choices from a fixed
list, an exact count while counting is cheap and an estimate beyond, and a CSV of every matching entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event, select

from resettle.audit.actions import ACTIONS
from resettle.audit.models import AuditEvent
from resettle.audit.services import AuditCursor, AuditFilters, audit_page, audit_query, record
from resettle.extensions import db
from resettle.web.estimates import RowCount, count_rows
from tests.postgres import IS_POSTGRESQL

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _entries(count: int, action: str = "family_viewed", same_time_every: int = 1) -> None:
    """`count` entries, a minute apart (or `same_time_every` at the same moment, to test ties)."""
    for n in range(count):
        event = record(action, "family", f"F-{n:04d}", f"entry {n}")
        event.occurred_at = START + timedelta(minutes=n // same_time_every)
    db.session.flush()


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _ids(html: str) -> list[str]:
    return re.findall(r"Family (F-\d{4})", html)


def _link(html: str, label: str) -> str | None:
    """The href of the link whose text (within one <a>) is `label`."""
    found = re.search(r'<a [^>]*href="([^"]+)"[^>]*>(?:(?!</a>).)*?' + label, html, re.S)
    return found.group(1).replace("&amp;", "&") if found else None


def test_pages_walk_back_and_forth_by_key_without_gaps_or_repeats(admin_client: FlaskClient, database: Any) -> None:
    _entries(120, same_time_every=7)  # runs of seven entries share a moment: the id breaks the tie
    first = admin_client.get("/admin/audit/?object_type=family").get_data(as_text=True)
    assert "120 entries, newest first" in first
    assert _link(first, "Newer entries") is None
    seen = _ids(first)
    pages = [seen]
    html = first
    while (older := _link(html, "Older entries")) is not None:
        html = admin_client.get(older).get_data(as_text=True)
        pages.append(_ids(html))
    assert [len(page) for page in pages] == [50, 50, 20]
    walked = [entry for page in pages for entry in page]
    assert walked == [f"F-{n:04d}" for n in range(119, -1, -1)]  # newest first, each once
    newer = _link(html, "Newer entries")
    assert newer is not None
    assert _ids(admin_client.get(newer).get_data(as_text=True)) == pages[1]


def test_a_deep_page_costs_the_statements_of_the_first_and_never_an_offset(
    admin_client: FlaskClient, database: Any
) -> None:
    _entries(160)
    admin_client.get("/admin/audit/")  # sign-in and session work done before counting
    with _statements() as first:
        html = admin_client.get("/admin/audit/").get_data(as_text=True)
    page = html
    for _ in range(2):
        older = _link(page, "Older entries")
        assert older is not None
        page = admin_client.get(older).get_data(as_text=True)
    older = _link(page, "Older entries")
    assert older is not None
    offsets: list[Any] = []

    def offset_of(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.upper().endswith("OFFSET ?"):
            offsets.append(parameters[-1])

    event.listen(db.engine, "before_cursor_execute", offset_of)
    with _statements() as deep:
        admin_client.get(older)
    event.remove(db.engine, "before_cursor_execute", offset_of)
    assert len(deep) == len(first)
    # SQLite writes "LIMIT ? OFFSET ?" for any limit: the offset must be 0 there, and absent elsewhere.
    assert not [s for s in first + deep if "OFFSET" in s.upper() and not s.upper().endswith("OFFSET ?")]
    assert all(offset == 0 for offset in offsets)
    assert not [s for s in first + deep if "DISTINCT" in s.upper()]  # filter choices are not read from the log


def test_a_cursor_that_is_not_one_shows_the_newest_entries(admin_client: FlaskClient, database: Any) -> None:
    _entries(3)
    for cursor in ("abc", "1-", "-5", "99999999999999999999-1", "١٢٣-4", "1" * 17 + "-1"):
        response = admin_client.get("/admin/audit/", query_string={"before": cursor})
        assert response.status_code == 200
        assert "F-0002" in response.get_data(as_text=True)


def test_cursors_read_back_what_they_wrote() -> None:
    cursor = AuditCursor(datetime(2026, 11, 30, 7, 1, 2, 345678, tzinfo=UTC), 42)
    assert AuditCursor.parse(cursor.token) == cursor
    assert AuditCursor.parse("") is None
    assert AuditCursor.parse("12-x") is None


def test_the_filter_offers_every_action_the_service_writes(admin_client: FlaskClient, database: Any) -> None:
    html = admin_client.get("/admin/audit/").get_data(as_text=True)
    assert all(f'value="{action}"' in html for action in ACTIONS)
    old = admin_client.get("/admin/audit/?action=an_action_no_longer_written").get_data(as_text=True)
    assert 'value="an_action_no_longer_written" selected' in old


def test_counts_are_exact_while_cheap_and_estimated_beyond(database: Any) -> None:
    _entries(30)
    statement = audit_query(AuditFilters(action="family_viewed"))
    assert count_rows(statement) == RowCount(30, True)
    small_limit = count_rows(statement, exact_up_to=10)
    if IS_POSTGRESQL:
        assert not small_limit.exact and small_limit.value >= 11  # the planner's estimate, never below what was seen
    else:
        assert small_limit == RowCount(30, True)  # SQLite always counts


def test_an_estimate_is_shown_as_about_a_round_number(admin_client: FlaskClient, database: Any) -> None:
    assert RowCount(532_118, False).rounded == 530_000
    assert RowCount(532_118, True).rounded == 532_118
    assert RowCount(87, False).rounded == 87
    page = audit_page(audit_query(AuditFilters()))
    assert page.count.exact


def test_the_csv_has_every_matching_entry(admin_client: FlaskClient, database: Any) -> None:
    _entries(260)
    body = admin_client.get("/admin/audit/export.csv?object_type=family").get_data(as_text=True)
    assert len(body.splitlines()) == 261
    count = db.session.execute(select(AuditEvent.id).where(AuditEvent.object_type == "family")).all()
    assert len(count) == 260
