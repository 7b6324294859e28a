"""Receipts: checked by content and size, stored outside the web root under random names, served only to
caseworkers and reviewers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from resettle.auth.models import Role
from resettle.funding.receipts import MAX_RECEIPT_BYTES, add_receipt, receipt_path, remove_receipt, sniff_type
from resettle.funding.spend_models import SpendStatus
from resettle.funding.spend_services import SpendError
from tests.funding.conftest import JPEG, PDF, PNG
from tests.funding.factories import SpendLineFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (b"<html><script>alert(1)</script>", None),
        (b"MZ\x90\x00", None),
        (b"GIF89a", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(content: bytes, expected: str | None) -> None:
    sniffed = sniff_type(content)
    assert (sniffed[0] if sniffed else None) == expected


def test_a_receipt_is_stored_with_a_random_name_outside_the_web_root(
    app: Flask, database: Any, upload_folder: Path
) -> None:
    line = SpendLineFactory()
    receipt = add_receipt(line, io.BytesIO(PNG), "../../etc/passwd.png", line.created_by)
    path = receipt_path(receipt)
    assert path.read_bytes() == PNG
    assert path.parent == upload_folder / "receipts"
    assert "passwd" not in receipt.stored_name and receipt.stored_name.endswith(".png")
    assert receipt.original_filename == "etc_passwd.png"
    assert not path.is_relative_to(Path(app.static_folder or ""))
    assert (path.stat().st_mode & 0o077) == 0  # readable by the service only


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"just some text pretending to be a PDF", "The selected file must be a PDF, JPG or PNG"),
        (PDF + b"0" * MAX_RECEIPT_BYTES, "The selected file must be smaller than 5MB"),
    ],
)
def test_wrong_files_are_refused(database: Any, upload_folder: Path, content: bytes, message: str) -> None:
    line = SpendLineFactory()
    with pytest.raises(SpendError) as refused:
        add_receipt(line, io.BytesIO(content), "receipt.pdf", line.created_by)
    assert refused.value.problems[0].message == message
    assert not (upload_folder / "receipts").exists() or not any((upload_folder / "receipts").iterdir())


def test_receipts_are_fixed_once_the_line_is_submitted(database: Any) -> None:
    line = SpendLineFactory()
    receipt = add_receipt(line, io.BytesIO(PDF), "receipt.pdf", line.created_by)
    line.status = SpendStatus.SUBMITTED
    with pytest.raises(SpendError):
        add_receipt(line, io.BytesIO(PDF), "another.pdf", line.created_by)
    with pytest.raises(SpendError):
        remove_receipt(receipt, line.created_by)


@pytest.mark.parametrize(("role", "status"), [(Role.CASEWORKER, 200), (Role.REVIEWER, 200), (Role.ADMIN, 403)])
def test_receipts_are_served_only_to_caseworkers_and_reviewers(login_as: Any, role: Role, status: int) -> None:
    line = SpendLineFactory()
    receipt = add_receipt(line, io.BytesIO(PDF), "receipt.pdf", line.created_by)
    response = login_as(role).get(f"/funding/receipts/{receipt.public_id}")
    assert response.status_code == status
    if status == 200:
        assert response.get_data() == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_receipts_are_not_reachable_as_static_files(client: Any, database: Any) -> None:
    line = SpendLineFactory()
    receipt = add_receipt(line, io.BytesIO(PDF), "receipt.pdf", line.created_by)
    assert client.get(f"/assets/{receipt.stored_name}").status_code == 404
    assert client.get(f"/assets/../instance/uploads/receipts/{receipt.stored_name}").status_code == 404


def test_a_receipt_downloads_under_our_own_name_and_its_checked_type(login_as: Any) -> None:
    line = SpendLineFactory()
    # A PNG uploaded as "invoice.html": served as image/png under a generated name, never the uploader's.
    receipt = add_receipt(line, io.BytesIO(PNG), 'invoice".html', line.created_by)
    response = login_as(Role.REVIEWER).get(f"/funding/receipts/{receipt.public_id}")
    disposition = response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "image/png"
    assert disposition == f"attachment; filename=receipt-{line.reference}-{receipt.public_id[:8]}.png"
    assert "invoice" not in disposition and "html" not in disposition
    response.close()


def test_a_stored_file_that_no_longer_matches_its_checked_type_is_not_served(login_as: Any) -> None:
    line = SpendLineFactory()
    receipt = add_receipt(line, io.BytesIO(PDF), "receipt.pdf", line.created_by)
    receipt_path(receipt).write_bytes(b"<html><script>alert(1)</script>")
    response = login_as(Role.CASEWORKER).get(f"/funding/receipts/{receipt.public_id}")
    assert response.status_code == 404
    assert b"alert(1)" not in response.get_data()
    response.close()
