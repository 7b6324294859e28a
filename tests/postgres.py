"""Databases of their own for the tests that need real commits (races, migrations, the browser's live server).

Each gets a fresh PostgreSQL database named after the test database with a suffix when TEST_DATABASE_URL
points at PostgreSQL.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import URL, create_engine, make_url, text

from resettle import create_app
from resettle.config import TestConfig
from resettle.extensions import db

IS_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


def _server_url() -> URL:
    return make_url(TestConfig.SQLALCHEMY_DATABASE_URI)


def _execute_on_server(statement: str) -> None:
    admin = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(statement))
    admin.dispose()


def create_scratch_database(suffix: str) -> str:
    """Drop and create `<test database>_<suffix>`; return its URL."""
    url = _server_url()
    name = f"{url.database}_{suffix}"
    _execute_on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _execute_on_server(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(suffix: str) -> None:
    _execute_on_server(f'DROP DATABASE IF EXISTS "{_server_url().database}_{suffix}" WITH (FORCE)')


@contextmanager
def scratch_app(suffix: str) -> Iterator[Flask]:
    """An app on a fresh PostgreSQL database with every table, dropped afterwards."""

    class ScratchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = create_scratch_database(suffix)

    app = create_app(ScratchConfig)
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_scratch_database(suffix)


def wait_for_each_other_after(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, parties: int = 2) -> None:
    """Make `module.name` wait, once it has returned, until `parties` threads have called it (or a second has
    passed). Racing threads then all read before any writes: without row locks they all see the same state;
    with them the later ones cannot read until the first has committed, so the wait just times out."""
    all_read = threading.Barrier(parties)
    original = getattr(module, name)

    def read_then_wait(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        try:
            all_read.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return result

    monkeypatch.setattr(module, name, read_then_wait)
