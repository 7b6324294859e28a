"""The audit-chain migration chains the rows already there; with RESETTLE_DB_APP_ROLE set on PostgreSQL it
leaves the app's role able to read and add audit rows, and nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import make_url, text

from resettle import create_app
from resettle.audit.chain import verify_chain
from resettle.config import TestConfig
from resettle.extensions import db
from tests.postgres import IS_POSTGRESQL, create_scratch_database, drop_scratch_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _app(url: str) -> Flask:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Config)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    if IS_POSTGRESQL:
        yield create_scratch_database("audit_grants")
        drop_scratch_database("audit_grants")
    else:
        yield f"sqlite:///{tmp_path / 'chain.sqlite'}"


def test_existing_audit_rows_are_chained_by_the_migration(empty_database: str) -> None:
    app = _app(empty_database)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0007")
        with db.engine.begin() as connection:
            for n in range(3):
                connection.execute(
                    text("INSERT INTO audit_events (occurred_at, action, summary) VALUES (:at, 'old', :s)"),
                    {"at": f"2026-11-0{n + 1} 10:00:00.000001", "s": f"before the chain {n}"},
                )
        upgrade(directory=str(MIGRATIONS))
        assert verify_chain(db.session) == (3, [])
        db.session.remove()
        db.engine.dispose()


@pytest.mark.skipif(not IS_POSTGRESQL, reason="roles and grants need PostgreSQL (set TEST_DATABASE_URL)")
def test_the_app_role_may_only_read_and_add_audit_rows(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    role = f"{make_url(empty_database).database}_app"
    server = sa.create_engine(TestConfig.SQLALCHEMY_DATABASE_URI, isolation_level="AUTOCOMMIT")
    as_app = sa.create_engine(empty_database)
    with server.connect() as connection:
        connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        connection.execute(text(f'CREATE ROLE "{role}" NOLOGIN'))
    try:
        monkeypatch.setenv("RESETTLE_DB_APP_ROLE", role)
        app = _app(empty_database)
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            db.engine.dispose()
        with as_app.begin() as connection:
            connection.execute(text(f'SET LOCAL ROLE "{role}"'))
            connection.execute(text("INSERT INTO teams (name, created_at) VALUES ('North', now())"))
            connection.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, action, summary, previous_hash, row_hash) "
                    "VALUES (now(), 'added', '', :h, :h)"
                ),
                {"h": "0" * 64},
            )
            assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 1
        for statement in (
            "UPDATE audit_events SET summary = 'changed'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_update ON audit_events",
        ):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner"):
                with as_app.begin() as connection:
                    connection.execute(text(f'SET LOCAL ROLE "{role}"'))
                    connection.execute(text(statement))
    finally:
        as_app.dispose()
        drop_scratch_database("audit_grants")
        with server.connect() as connection:
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        server.dispose()
