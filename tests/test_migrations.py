"""Migrations: one head, an empty database upgrades to head and then matches the models; down and up again."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from resettle import create_app
from resettle.config import TestConfig
from resettle.extensions import db
from tests.postgres import create_scratch_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _empty_database_url(tmp_path: Path) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    return create_scratch_database("migrations")


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[Flask]:
    class EmptyDatabaseConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _empty_database_url(tmp_path)

    app = create_app(EmptyDatabaseConfig)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_there_is_exactly_one_head_and_revisions_are_numbered() -> None:
    script = ScriptDirectory.from_config(_alembic_config())
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.revision.isdigit() and len(revision.revision) == 4, revision.revision


def _alembic_config() -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_upgrade_from_empty_matches_the_models_and_round_trips(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade(directory=str(MIGRATIONS))
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
        downgrade(directory=str(MIGRATIONS), revision="base")
        upgrade(directory=str(MIGRATIONS))
        with db.engine.connect() as connection:
            tables = set(db.inspect(connection).get_table_names())
        assert {"users", "audit_events", "outbound_emails", "alembic_version"} <= tables
