"""Health probes for the load balancer, and a database outage: a 503 page that asks to try again in a minute,
and the service back without a restart once the database is."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from resettle import create_app
from resettle.config import TestConfig
from resettle.extensions import db
from resettle.main.readiness import MIGRATIONS, migration_heads


def test_healthz_says_the_process_is_up_without_a_session(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_reports_migrations_not_applied_on_a_schema_made_without_them(client: FlaskClient) -> None:
    response = client.get("/readyz")  # the test schema is made by create_all, not by the migrations
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"].startswith("not at head")
    assert "Set-Cookie" not in response.headers


@pytest.fixture
def outage_app(tmp_path: Path) -> Iterator[tuple[Flask, Path]]:
    """An app whose SQLite file sits in a folder that does not exist yet: the database cannot be opened."""
    folder = tmp_path / "not-yet"

    class OutageConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'resettle.sqlite'}"
        PROPAGATE_EXCEPTIONS = False  # as in production: errors become pages

    app = create_app(OutageConfig)
    # Starting the app makes the folder and an empty file (owner-only); the outage starts after that.
    shutil.rmtree(folder, ignore_errors=True)
    yield app, folder
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_database_outage_shows_a_503_page_and_recovers_without_a_restart(
    outage_app: tuple[Flask, Path],
) -> None:
    app, folder = outage_app
    client = app.test_client()

    down = client.get("/needed")
    assert down.status_code == 503
    assert "Try again in a minute" in down.get_data(as_text=True)
    assert "Retry-After" in down.headers
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.get_json()["checks"]["database"].startswith("unreachable")
    assert client.get("/healthz").status_code == 200  # the process itself is fine

    folder.mkdir()  # the database is back
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        db.session.remove()

    assert client.get("/needed").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "at head"}}
    assert len(migration_heads()) == 1
