"""Configuration that must not be possible: a short SECRET_KEY or debug mode in production, the demo in
production or beside real accounts, private links in access logs, a world-readable SQLite file."""

from __future__ import annotations

import logging
import os
import stat
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from resettle import create_app
from resettle.auth.models import Role
from resettle.config import DevelopmentConfig, ProductionConfig
from resettle.extensions import db
from resettle.web.logs import RedactPrivateTokens, redact

LONG_KEY = "k" * 32


def _production(monkeypatch: pytest.MonkeyPatch, key: str | None = LONG_KEY) -> Flask:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", key)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    return create_app(ProductionConfig)


@pytest.mark.parametrize("key", ["a", "x" * 31, "é" * 15])
def test_production_refuses_a_secret_key_shorter_than_32_bytes(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        _production(monkeypatch, key)
    assert _production(monkeypatch, "é" * 16).config["ENV_NAME"] == "production"  # 32 bytes in UTF-8


def test_production_refuses_debug_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="Debug mode must be off in production"):
        _production(monkeypatch)
    monkeypatch.delenv("FLASK_DEBUG")
    monkeypatch.setattr(ProductionConfig, "DEBUG", True, raising=False)
    with pytest.raises(RuntimeError, match="Debug mode must be off in production"):
        _production(monkeypatch)


def test_development_may_use_debug_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")

    class Dev(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert create_app(Dev).debug


def _development_app(tmp_path: Path) -> Flask:
    class Dev(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'dev.sqlite'}"
        ARGON2_FAST = True

    app = create_app(Dev)
    with app.app_context():
        db.create_all()
    return app


def test_demo_refuses_outside_development(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "The demo can only be loaded in development" in result.output


def test_demo_refuses_a_database_with_real_accounts_and_loads_into_an_empty_one(tmp_path: Path) -> None:
    app = _development_app(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded." in result.output
    assert "RESETTLEDEMOKEYFORLOCALUSEONLY23" in result.output and "flask demo-code" in result.output
    code = runner.invoke(args=["demo-code"])
    assert code.exit_code == 0 and "Two-factor code for the demo accounts:" in code.output
    with app.app_context():
        from resettle.auth.services import create_user

        create_user("real.person@council.example", "Real Person", Role.CASEWORKER)
        db.session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "holds accounts that are not demo accounts" in result.output
    with app.app_context():
        db.engine.dispose()


def test_private_links_never_reach_the_access_log(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Alembic's logging set-up (run by the migration tests in the same process) disables existing loggers.
    monkeypatch.setattr(logging.getLogger("werkzeug"), "disabled", False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = "Zq9-private-token-value"
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in (f"/set-password/{secret}", f"/offer/manage/{secret}/withdraw", f"/login?token={secret}"):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}", timeout=10)  # noqa: S310
                except urllib.error.HTTPError:
                    pass
    finally:
        server.shutdown()
        thread.join(timeout=5)
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert len(lines) == 3
    assert all(secret not in line and "[redacted]" in line for line in lines), lines
    assert any("/offer/manage/[redacted]/withdraw" in line for line in lines)


def test_gunicorn_access_lines_are_redacted_too() -> None:
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        '%(h)s "%(r)s" %(s)s "%(f)s"',
        ({"h": "198.51.100.1", "r": "GET /set-password/abc.DEF HTTP/1.1", "s": "200", "f": "/offer/manage/xyz"},),
        None,
    )
    RedactPrivateTokens().filter(record)
    assert record.getMessage() == '198.51.100.1 "GET /set-password/[redacted] HTTP/1.1" 200 "/offer/manage/[redacted]"'
    assert logging.getLogger("gunicorn.access").filters  # installed by create_app
    assert redact("/offers/12/edit") == "/offers/12/edit"


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    loose = tmp_path / "existing.sqlite"
    loose.touch(mode=0o644)
    os.chmod(loose, 0o644)

    class Existing(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{loose}"

    create_app(Existing)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    app = _development_app(tmp_path)  # a new file
    created = tmp_path / "dev.sqlite"
    assert stat.S_IMODE(created.stat().st_mode) == 0o600
    with app.app_context():
        db.engine.dispose()


def test_uploaded_receipts_are_readable_by_the_service_only(app: Flask, database: Any, tmp_path: Path) -> None:
    # Covered in full by tests/funding/test_receipts.py; here the folder the files go in.
    from resettle.funding.receipts import receipt_folder

    with app.test_request_context():
        app.config["UPLOAD_FOLDER"], original = str(tmp_path / "uploads"), app.config["UPLOAD_FOLDER"]
        try:
            folder = receipt_folder()
        finally:
            app.config["UPLOAD_FOLDER"] = original
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
