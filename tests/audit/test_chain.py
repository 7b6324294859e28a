"""The audit log's hash chain: every row chains to the one before; `flask audit verify` finds a row changed,
removed or inserted by someone who got past the append-only triggers (here: raw SQL with them lifted)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from resettle.audit.chain import GENESIS_HASH, compute_row_hash, verify_chain
from resettle.audit.models import AuditEvent
from resettle.audit.services import record
from resettle.extensions import db
from tests.postgres import IS_POSTGRESQL, scratch_app


def _write(count: int) -> list[AuditEvent]:
    events = [record("test_event", "family", f"REF-{n}", f"entry {n}") for n in range(count)]
    db.session.flush()
    return events


def _triggers_lifted(connection: Any) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update"))
    else:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_each_row_chains_to_the_one_before(database: Any) -> None:
    events = _write(3)
    assert events[0].previous_hash == GENESIS_HASH
    assert [e.previous_hash for e in events[1:]] == [e.row_hash for e in events[:-1]]
    assert all(e.row_hash == compute_row_hash(e, e.previous_hash) for e in events)
    assert verify_chain(db.session) == (3, [])


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("UPDATE audit_events SET summary = 'nothing to see' WHERE id = :id", "content does not match"),
        ("UPDATE audit_events SET actor_email = 'someone@else.example' WHERE id = :id", "content does not match"),
        ("DELETE FROM audit_events WHERE id = :id", "does not follow the row before it"),
    ],
)
def test_verify_finds_a_row_changed_or_removed_with_raw_sql(
    app: Flask, database: Any, tamper: str, problem: str
) -> None:
    events = _write(4)
    middle = events[1].id
    connection = db.session.connection()
    _triggers_lifted(connection)
    connection.execute(text(tamper), {"id": middle})
    db.session.expire_all()
    count, breaks = verify_chain(db.session)
    assert breaks and problem in breaks[0].problem
    assert breaks[0].event_id in (middle, events[2].id)

    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"Audit entry {breaks[0].event_id}" in result.output and "broken" in result.output


def test_verify_reports_an_intact_log(app: Flask, database: Any) -> None:
    _write(2)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 2 entries checked" in result.output


def test_a_row_inserted_out_of_the_chain_is_found(database: Any) -> None:
    events = _write(2)
    db.session.connection().execute(
        text(
            "INSERT INTO audit_events (occurred_at, action, summary, previous_hash, row_hash) "
            "VALUES (:at, 'forged', 'hello', :previous, :hash)"
        ),
        {"at": events[-1].occurred_at.replace(tzinfo=None), "previous": events[0].row_hash, "hash": "f" * 64},
    )
    _, breaks = verify_chain(db.session)
    assert len(breaks) == 2  # follows the wrong row, and its hash is not its content's


@pytest.fixture
def concurrent_app() -> Iterator[Flask]:
    if not IS_POSTGRESQL:
        pytest.skip("concurrent writers need PostgreSQL (set TEST_DATABASE_URL)")
    with scratch_app("audit_chain") as app:
        yield app


def test_concurrent_writers_never_fork_the_chain(concurrent_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight threads write and commit at once; each waits for the others after reading the head, so
    without the lock they would all chain to the same row."""
    from resettle.audit import chain
    from tests.postgres import wait_for_each_other_after

    wait_for_each_other_after(monkeypatch, chain, "chain_head", parties=8)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with concurrent_app.app_context():
                for round_ in range(3):
                    record("concurrent", "family", f"T{n}", f"thread {n} round {round_}")
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with concurrent_app.app_context():
        count, breaks = verify_chain(db.session)
        hashes = db.session.execute(select(AuditEvent.previous_hash)).scalars().all()
        db.session.remove()
    assert count == 24 and breaks == []
    assert len(set(hashes)) == 24  # no two rows chained to the same previous row
