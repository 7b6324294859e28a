"""Whether this process can serve: the database answers and its schema is at the newest migration."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from resettle.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@cache
def migration_heads() -> frozenset[str]:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def readiness() -> tuple[bool, dict[str, str]]:
    """(ready, checks). Never raises: a database that cannot be reached is an answer, not an error."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError as error:
        db.session.rollback()
        checks["database"] = f"unreachable: {type(getattr(error, 'orig', None) or error).__name__}"
        return False, checks
    try:
        applied = set(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        db.session.rollback()
        applied = set()
    heads = migration_heads()
    if applied == heads:
        checks["migrations"] = "at head"
    else:
        found = ", ".join(sorted(applied)) or "none"
        checks["migrations"] = f"not at head (database: {found}; code: {', '.join(sorted(heads))})"
    return applied == heads, checks
