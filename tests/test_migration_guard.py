"""`flask db downgrade` refuses without --yes, saying that data is lost, and changes nothing; with --yes it runs."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, inspect

from resettle import create_app
from resettle.config import TestConfig
from resettle.migration_guard import DATA_LOSS_WARNING


def _app(database: Path) -> Flask:
    class FileConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    return create_app(FileConfig)


def _tables(database: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_downgrade_needs_yes_and_says_data_is_lost(tmp_path: Path) -> None:
    database = tmp_path / "guarded.sqlite"
    runner = _app(database).test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    before = _tables(database)
    assert "submission_keys" in before

    refused = runner.invoke(args=["db", "downgrade"])
    assert refused.exit_code == 2
    assert " ".join(DATA_LOSS_WARNING.split()[:6]) in " ".join(refused.output.split())
    assert _tables(database) == before

    confirmed = runner.invoke(args=["db", "downgrade", "--yes"])
    assert confirmed.exit_code == 0, confirmed.output
    # The newest migration's tables are gone (which ones depends on which migration is the head).
    assert _tables(database) < before
