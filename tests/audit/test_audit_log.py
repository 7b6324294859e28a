"""The audit log is written by one service, readable and filterable by admins, and cannot be changed."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from resettle.audit.models import AuditEvent, AuditLogIsAppendOnly
from resettle.audit.services import describe_changes, record
from resettle.extensions import db
from tests.factories import UserFactory


def test_record_keeps_who_what_and_where(app: Flask, database: Any) -> None:
    actor = UserFactory(email="writer@council.example")
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        event = record("family_viewed", "family", "F-ABC", "opened the family page", actor=actor)
        db.session.flush()
    assert event.id is not None
    assert (event.actor_email, event.action, event.object_type, event.object_id) == (
        "writer@council.example",
        "family_viewed",
        "family",
        "F-ABC",
    )
    assert event.ip_address == "203.0.113.9"
    assert event.occurred_at.tzinfo is not None


def test_describe_changes_lists_only_changed_fields() -> None:
    assert describe_changes({"a": 1, "b": 2}, {"a": 1, "b": 3}) == "b: 2 → 3"
    assert describe_changes({"a": 1}, {"a": 1}) == "no changes"


def test_describe_changes_shows_values_as_people_read_them() -> None:
    from resettle.families.models import Scheme
    from resettle.funding.allocation import RuleBasis

    before = {"basis": None, "confirmed": False, "scheme": Scheme.VPRS, "note": None}
    after = {"basis": RuleBasis.PER_PERSON, "confirmed": True, "scheme": Scheme.VCRS, "note": None}
    assert describe_changes(before, after) == ("basis: not set → per_person; confirmed: no → yes; scheme: VPRS → VCRS")
    assert describe_changes({}, {"amount": None, "note": ""}) == "no changes"


def test_describe_changes_never_keeps_free_text() -> None:
    summary = describe_changes({"title": "Book GP", "priority": 2}, {"title": "Book GP: HIV clinic", "priority": 1})
    assert summary == "title changed; priority: 2 → 1"


def test_describe_changes_withholds_the_values_of_private_fields() -> None:
    summary = describe_changes(
        {"full_name": "Karim Haddad", "sex": "male"},
        {"full_name": "Kareem Haddad", "sex": "male"},
        withheld={"full_name"},
    )
    assert summary == "full_name changed"


def test_the_app_refuses_to_change_or_delete_entries(database: Any) -> None:
    event = record("something", summary="original")
    db.session.flush()
    event.summary = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    event = record("something else")
    db.session.flush()
    db.session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(summary="rewritten"),
        delete(AuditEvent),
    ],
)
def test_the_database_refuses_to_change_or_delete_entries(database: Any, statement: Any) -> None:
    record("kept", summary="original")
    db.session.flush()
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(statement)
    assert db.session.execute(select(AuditEvent.summary).where(AuditEvent.action == "kept")).scalar_one() == "original"


def test_raw_sql_cannot_delete_entries_either(database: Any) -> None:
    record("kept")
    db.session.flush()
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_events"))


def test_admin_filters_the_log_and_exports_csv(admin_client: FlaskClient) -> None:
    record("offer_verified", "offer", "O-1", '=HYPERLINK("http://evil")')
    record("family_viewed", "family", "F-9", "opened")
    db.session.flush()
    page = admin_client.get("/admin/audit/?action=offer_verified").get_data(as_text=True)
    assert "O-1" in page and "F-9" not in page
    assert "1 entry, newest first" in page

    exported = admin_client.get("/admin/audit/export.csv?action=offer_verified")
    assert exported.mimetype == "text/csv"
    body = exported.get_data(as_text=True)
    assert body.splitlines()[0].startswith("occurred_at_utc,actor_email,action")
    assert "'=HYPERLINK" in body  # formula neutralised for spreadsheets
    assert "F-9" not in body


def test_audit_filters_explain_bad_dates_and_keep_values(admin_client: FlaskClient) -> None:
    page = admin_client.get("/admin/audit/?date_from=31-31-2026&actor_email=amira").get_data(as_text=True)
    assert "From date must be a real date, like 1/11/2026" in page
    assert "Not a valid" not in page
    assert 'value="amira"' in page
    assert 'value="31-31-2026"' in page


def test_audit_filters_say_how_long_a_filter_may_be(admin_client: FlaskClient) -> None:
    page = admin_client.get(f"/admin/audit/?object_id={'x' * 65}").get_data(as_text=True)
    assert "Record id must be 64 characters or fewer" in page
    assert "Field cannot be longer" not in page


def test_empty_log_says_so(admin_client: FlaskClient) -> None:
    page = admin_client.get("/admin/audit/?action=nothing_like_this").get_data(as_text=True)
    assert "No audit entries match these filters." in page
