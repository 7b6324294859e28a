"""The app served over real HTTP on a random local port, on a database with real commits: an SQLite file, or a
PostgreSQL database of its own when TEST_DATABASE_URL points at PostgreSQL. For tests of concurrency and of
work done after the response."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from resettle import create_app
from resettle.config import TestConfig
from resettle.extensions import db
from tests.postgres import IS_POSTGRESQL, create_scratch_database, drop_scratch_database


@contextmanager
def served_app(tmp_path: Path, suffix: str, demo: bool = True, **settings: Any) -> Iterator[tuple[Flask, str]]:
    """Yield (app, base URL). `settings` override the test configuration; the demo borough is loaded unless
    `demo` is false."""

    class ServedConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = (
            create_scratch_database(suffix) if IS_POSTGRESQL else f"sqlite:///{tmp_path / f'{suffix}.sqlite'}"
        )
        SERVER_NAME = None
        LOGIN_RATE_LIMIT = "1000 per minute"
        UPLOAD_FOLDER = str(tmp_path / "uploads")

    for name, value in settings.items():
        setattr(ServedConfig, name, value)
    app = create_app(ServedConfig)
    with app.app_context():
        db.create_all()
        if demo:
            from resettle.demo import load_demo_data

            load_demo_data()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if IS_POSTGRESQL:
            drop_scratch_database(suffix)
