"""A CSV export runs a fixed number of SQL statements however many rows it has: each export is downloaded with a
small data set and again with more rows, its rows read in batches of two (so an export that loads what each row
shows batch by batch, or row by row, would need more statements for more rows), and the number of statements must
not grow while the number of rows does."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask, url_for

from resettle.audit.services import record
from resettle.auth.models import Role
from resettle.extensions import db
from resettle.families.models import Family, Need
from resettle.matching.models import UnmetNeed, UnmetReason
from tests.web.test_statement_counts import _RUN, _args_for, _count, _first_world, _grow, _role_for

# Every CSV download of the pages (the claim batch's export lists one batch: its size does not grow here), with
# the query string that lists the records the test adds.
EXPORTS = {
    "audit.export_audit_log": {},
    "families.export_families": {},
    "funding.export_spend": {},
    "funding.export_review_queue": {"status": "submitted"},
    "matching.export_proposals": {},
    "matching.export_gaps": {},
    "offers.export_offers": {"status": "any"},
}


def _more_rows(caseworker: Any) -> None:
    """Every need without an unmet row in the run gets one, so the gap report lists it; and a few audit rows."""
    for family in db.session.query(Family).all():
        record("family_viewed", "family", family.id, "Family record viewed", actor=caseworker)
    run = _RUN[0]
    listed = {unmet.need_id for unmet in db.session.query(UnmetNeed).filter_by(run_id=run.id)}
    for need in db.session.query(Need).all():
        if need.id not in listed:
            reason = UnmetReason.NO_COMPATIBLE_OFFER if need.item else UnmetReason.NO_OFFER
            db.session.add(UnmetNeed(run_id=run.id, need_id=need.id, reason=reason, blocking=["bedrooms"]))
    db.session.flush()


def _rows(client: Any, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    return len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) - 1


@pytest.mark.parametrize("endpoint", sorted(EXPORTS))
def test_export_statements_do_not_grow_with_its_rows(
    app: Flask, database: Any, login_as: Any, monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    monkeypatch.setattr("resettle.web.csv_export.STREAM_BATCH", 2)
    role = _role_for(endpoint)
    assert role is not None
    client = login_as(role)
    caseworker = client.user if role is Role.CASEWORKER else login_as(Role.CASEWORKER).user
    family, stream = _first_world(caseworker)
    _more_rows(caseworker)
    with app.test_request_context():
        url = url_for(endpoint, **_args_for(endpoint, family), **EXPORTS[endpoint])
    _count(app, client, url)  # a first request warms what is loaded once per process
    small, _ = _count(app, client, url)
    small_rows = _rows(client, url)
    _grow(caseworker, stream, family)
    _more_rows(caseworker)
    larger, status = _count(app, client, url)
    larger_rows = _rows(client, url)
    assert status == 200
    # More rows than a batch holds, and more than before: more batches to read.
    assert larger_rows > max(small_rows, 2), f"{url}: {small_rows} rows, then {larger_rows}"
    assert larger <= small, f"{url}: {small} statements for {small_rows} rows, {larger} for {larger_rows}"
