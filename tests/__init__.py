"""The test suite. Imported before any conftest, so the database for this process is chosen here.

Under pytest-xdist each worker process gets a PostgreSQL database of its own (`<test database>_<worker>`),
created on demand, so `pytest -n 2` works on PostgreSQL as it does on SQLite (in-memory per process).
"""

from __future__ import annotations

import os


def _use_worker_database() -> None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgres"):
        return
    from sqlalchemy import create_engine, make_url, text

    parsed = make_url(
        url.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)
    )
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first()
        if exists is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    os.environ["TEST_DATABASE_URL"] = parsed.set(database=name).render_as_string(hide_password=False)


_use_worker_database()
