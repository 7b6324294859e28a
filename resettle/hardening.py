"""Checks and settings that keep a deployment from running in an unsafe state: production refuses a short
SECRET_KEY and debug mode, and the SQLite database file is readable by its owner only."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask.helpers import get_debug_flag
from sqlalchemy.engine import make_url

MIN_SECRET_KEY_BYTES = 32


def check_production_settings(app: Flask) -> None:
    if app.config.get("ENV_NAME") != "production":
        return
    key = app.config.get("SECRET_KEY") or ""
    if len(key.encode() if isinstance(key, str) else key) < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes in production "
            '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    # FLASK_DEBUG=1 (or `flask run --debug`) would serve the interactive debugger: code execution for anyone.
    if app.debug or get_debug_flag() or app.config.get("DEBUG"):
        raise RuntimeError("Debug mode must be off in production: unset FLASK_DEBUG")


def sqlite_file(database_uri: str) -> Path | None:
    """The file behind an SQLite URL, or None for PostgreSQL and in-memory SQLite."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None  # URI form: left as given
    return Path(url.database)


def restrict_sqlite_file(database_uri: str) -> None:
    """Create the SQLite file (and tighten an existing one) so only its owner can read it. SQLite gives its
    journal and WAL files the database file's permissions."""
    path = sqlite_file(database_uri)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    os.chmod(path, 0o600)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.chmod(companion, 0o600)
