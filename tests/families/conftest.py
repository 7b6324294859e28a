"""Family tests need the LHA rates that migration 0002 loads; the test schema comes from the models."""

from __future__ import annotations

from typing import Any

import pytest

from resettle.families.lha import ensure_lha_rates


@pytest.fixture(autouse=True)
def lha_rates(request: pytest.FixtureRequest) -> None:
    if "database" in request.fixturenames:
        request.getfixturevalue("database")
        ensure_lha_rates()


def audit_actions(database: Any) -> list[str]:
    from sqlalchemy import select

    from resettle.audit.models import AuditEvent

    return list(database.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars())
