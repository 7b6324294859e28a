"""Backup and restore keep the database and the uploaded receipts together: after a round trip every table
has the rows it had when backed up and every receipt file the same checksum, although in between rows were
added and receipts deleted. (A database dump alone lost every uploaded receipt.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete

from resettle import create_app
from resettle.backup import file_checksums, row_counts
from resettle.config import TestConfig
from resettle.extensions import db
from resettle.families.models import CaseNote, Family
from tests.postgres import IS_POSTGRESQL, create_scratch_database, drop_scratch_database


@pytest.fixture
def backed_app(tmp_path: Path) -> Iterator[Flask]:
    class BackupConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = (
            create_scratch_database("backup") if IS_POSTGRESQL else f"sqlite:///{tmp_path / 'live.sqlite'}"
        )
        UPLOAD_FOLDER = str(tmp_path / "uploads")

    app = create_app(BackupConfig)
    with app.app_context():
        db.create_all()
        from resettle.demo import load_demo_data

        load_demo_data()
        db.session.commit()
        receipts = Path(app.config["UPLOAD_FOLDER"]) / "receipts"
        receipts.mkdir(parents=True, exist_ok=True)
        for number in range(3):
            (receipts / f"receipt-{number}.pdf").write_bytes(b"%PDF-1.4 receipt " + bytes([number]) * 100)
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if IS_POSTGRESQL:
        drop_scratch_database("backup")


def test_a_backup_round_trip_restores_rows_and_receipts(backed_app: Flask, tmp_path: Path) -> None:
    runner = backed_app.test_cli_runner()
    archive = tmp_path / "backups" / "resettle.tar.gz"
    uploads = Path(backed_app.config["UPLOAD_FOLDER"])
    with backed_app.app_context():
        counts_at_backup = row_counts()
        files_at_backup = file_checksums(uploads)
    assert counts_at_backup["families"] > 0 and len(files_at_backup) >= 3

    created = runner.invoke(args=["backup", "create", str(archive)])
    assert created.exit_code == 0, created.output
    assert archive.exists()

    with backed_app.app_context():  # life goes on, then something goes wrong
        family = db.session.execute(db.select(Family)).scalars().first()
        db.session.add(CaseNote(family=family, body="Written after the backup", author_id=None))
        db.session.execute(delete(CaseNote).where(CaseNote.body != "Written after the backup"))
        db.session.commit()
        db.session.remove()
    for path in (uploads / "receipts").iterdir():
        path.unlink()

    refused = runner.invoke(args=["backup", "restore", str(archive)])
    assert refused.exit_code != 0 and "--yes" in refused.output

    restored = runner.invoke(args=["backup", "restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    with backed_app.app_context():
        assert row_counts() == counts_at_backup
        assert file_checksums(uploads) == files_at_backup
        notes = db.session.execute(db.select(CaseNote.body)).scalars().all()
        assert "Written after the backup" not in notes
        db.session.remove()
