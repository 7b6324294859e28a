"""The audit log through the API: administrators only, the page's filters, newest first, and a cursor that
stays put while new entries are written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask

from resettle.audit.services import record
from resettle.auth.models import Role
from resettle.extensions import db
from tests.api.clients import api_client
from tests.factories import UserFactory


def test_administrators_page_through_the_filtered_log(app: Flask, database: Any, time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 11, 2, 9, tzinfo=UTC), tick=False)
    for number in range(3):
        record("offer_viewed", "offer", f"OF-AUDIT{number}", "read")
        time_machine.shift(60)
    record("family_viewed", "family", "RF-AUDIT0", "read")
    admin = api_client(app, UserFactory(role=Role.ADMIN))
    db.session.commit()

    first = admin.get("/api/v1/audit-events?action=offer_viewed&limit=2").get_json()
    assert [event["object_id"] for event in first["items"]] == ["OF-AUDIT2", "OF-AUDIT1"]
    record("offer_viewed", "offer", "OF-LATER0", "written while paging")
    db.session.commit()
    rest = admin.get(f"/api/v1/audit-events?action=offer_viewed&limit=2&cursor={first['next_cursor']}").get_json()
    assert [event["object_id"] for event in rest["items"]] == ["OF-AUDIT0"] and rest["next_cursor"] is None

    by_day = admin.get("/api/v1/audit-events?date_from=2026-11-02&date_to=2026-11-02&object_type=family").get_json()
    assert [event["object_id"] for event in by_day["items"]] == ["RF-AUDIT0"]
    assert "row_hash" not in by_day["items"][0]
    assert admin.get("/api/v1/audit-events?cursor=not-a-cursor").status_code == 422
    assert admin.get("/api/v1/audit-events?date_from=2026-13-01").status_code == 422


def test_only_administrators_read_the_log(app: Flask, database: Any) -> None:
    for role in (Role.CASEWORKER, Role.REVIEWER):
        assert api_client(app, UserFactory(role=role)).get("/api/v1/audit-events").status_code == 403
