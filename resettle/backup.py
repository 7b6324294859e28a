"""Backups that keep the database and the uploaded receipts together, in one .tar.gz file.

`flask --app wsgi backup create PATH` writes: the database (SQLite's online backup API, so it is consistent
while the app runs; `pg_dump --format=custom` for PostgreSQL), every file under UPLOAD_FOLDER, and a
manifest of row counts per table and a SHA-256 per uploaded file. `backup restore PATH --yes` puts both
back (`pg_restore --clean` for PostgreSQL) and checks the counts and checksums against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess  # nosec B404  (pg_dump and pg_restore only, never a shell)
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, inspect, make_url, select, table

from resettle.db import utcnow
from resettle.extensions import db

MANIFEST = "manifest.json"


class BackupError(click.ClickException):
    pass


def _libpq_url() -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_path() -> Path:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def row_counts() -> dict[str, int]:
    names = sorted(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in names}


def file_checksums(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _run(command: list[str]) -> None:
    # fixed programs with argument lists, no shell
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def create_backup(target: Path) -> dict[str, Any]:
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    dialect = db.engine.dialect.name
    with tempfile.TemporaryDirectory(prefix="resettle-backup-") as scratch:
        work = Path(scratch)
        if dialect == "sqlite":
            source = sqlite3.connect(_sqlite_path())
            copy = sqlite3.connect(work / "database.sqlite")
            with copy:
                source.backup(copy)
            source.close()
            copy.close()
        elif dialect == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(work / "database.dump"), _libpq_url()])
        else:
            raise BackupError(f"backups of {dialect} databases are not supported")
        if uploads.exists():
            shutil.copytree(uploads, work / "uploads")
        manifest = {
            "created_at": utcnow().isoformat(),
            "database": dialect,
            "row_counts": row_counts(),
            "files": file_checksums(uploads),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as archive:
            for path in sorted(work.iterdir()):
                archive.add(path, arcname=path.name)
    return manifest


def restore_backup(source: Path) -> dict[str, Any]:
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    dialect = db.engine.dialect.name
    with tempfile.TemporaryDirectory(prefix="resettle-restore-") as scratch:
        work = Path(scratch)
        with tarfile.open(source, "r:gz") as archive:
            archive.extractall(work, filter="data")
        manifest = json.loads((work / MANIFEST).read_text())
        if manifest["database"] != dialect:
            raise BackupError(f"this backup is of a {manifest['database']} database, not {dialect}")
        db.session.remove()
        db.engine.dispose()
        if dialect == "sqlite":
            saved = sqlite3.connect(work / "database.sqlite")
            live = sqlite3.connect(_sqlite_path())
            with live:
                saved.backup(live)
            saved.close()
            live.close()
        else:
            restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
            _run([*restore, "--dbname", _libpq_url(), str(work / "database.dump")])
        db.engine.dispose()
        if uploads.exists():
            shutil.rmtree(uploads)
        if (work / "uploads").exists():
            shutil.copytree(work / "uploads", uploads)
    problems = []
    if row_counts() != manifest["row_counts"]:
        problems.append("row counts differ from the backup's manifest")
    if file_checksums(uploads) != manifest["files"]:
        problems.append("uploaded files differ from the backup's manifest")
    if problems:
        raise BackupError("restored, but " + "; ".join(problems))
    return dict(manifest)


def register_backup_commands(app: Flask) -> None:
    group = AppGroup("backup", help="Back up or restore the database and the uploaded receipts together.")

    @group.command("create")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def create_command(path: Path) -> None:
        """Write a backup to PATH (a .tar.gz file)."""
        manifest = create_backup(path)
        rows = sum(manifest["row_counts"].values())
        click.echo(f"Backed up {rows} rows in {len(manifest['row_counts'])} tables and {len(manifest['files'])} files")
        click.echo(f"to {path}")

    @group.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Confirm: everything now in the database and uploads is replaced.")
    def restore_command(path: Path, yes: bool) -> None:
        """Replace the database and the uploaded receipts with the backup at PATH."""
        if not yes:
            raise click.UsageError("restoring replaces all current data and uploaded files; add --yes to go ahead")
        manifest = restore_backup(path)
        click.echo(f"Restored the backup of {manifest['created_at']}: row counts and file checksums match")

    app.cli.add_command(group)
