"""Receipt uploads: the type is decided by the file's first bytes (never by its name or the browser's
claim), the size is capped, and the file is stored under UPLOAD_FOLDER with a random name, outside the web
root, and handed out only through a view that checks the reader's role."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import IO

from flask import current_app, has_request_context
from werkzeug.utils import secure_filename

from resettle.audit.services import record
from resettle.auth.models import User
from resettle.extensions import db
from resettle.funding.rules import Problem
from resettle.funding.spend_models import Receipt, SpendLine
from resettle.funding.spend_services import SpendError

MAX_RECEIPT_BYTES = 5 * 1024 * 1024
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
]


def sniff_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's magic bytes, or None for anything else."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def download_name(receipt: Receipt) -> str:
    """A name of our own for the download: the spend line's reference, the receipt's id and the extension of
    its checked type. The uploader's file name is kept for staff to read but never used as a header."""
    extension = next((ext for _, content_type, ext in SIGNATURES if content_type == receipt.content_type), "")
    return secure_filename(f"receipt-{receipt.spend_line.reference}-{receipt.public_id[:8]}{extension}")


def file_matches_checked_type(receipt: Receipt) -> bool:
    """Whether the stored file's first bytes still show the type checked at upload."""
    with receipt_path(receipt).open("rb") as handle:
        sniffed = sniff_type(handle.read(16))
    return sniffed is not None and sniffed[0] == receipt.content_type


def readable_receipt_path(receipt: Receipt) -> Path | None:
    """The stored file to hand out, and an audit entry for the reading; None when it is missing or no longer
    what was checked at upload (never handed out under that type)."""
    path = receipt_path(receipt)
    if not path.is_file():
        return None
    if not file_matches_checked_type(receipt):
        current_app.logger.error("receipt %s does not match its checked type; not served", receipt.public_id)
        return None
    record(
        "receipt_viewed",
        "spend_line",
        receipt.spend_line.public_id,
        f"{receipt.spend_line.reference}: receipt {receipt.public_id}",
    )
    return path


def receipt_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "receipts"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def receipt_path(receipt: Receipt) -> Path:
    # stored_name is ours (random hex plus a fixed extension), never the uploader's, so no path tricks.
    return receipt_folder() / receipt.stored_name


def _problem(message: str, about_state: bool = False) -> SpendError:
    return SpendError([Problem("receipt", message, about_state)])


def add_receipt(line: SpendLine, stream: IO[bytes], filename: str, actor: User) -> Receipt:
    if not line.is_editable:
        raise _problem(
            f"Receipts cannot be added to {line.reference} now it is {line.status.label.lower()}", about_state=True
        )
    content = stream.read(MAX_RECEIPT_BYTES + 1)
    if not content:
        raise _problem("The selected file is empty")
    if len(content) > MAX_RECEIPT_BYTES:
        raise _problem("The selected file must be smaller than 5MB")
    sniffed = sniff_type(content[:16])
    if sniffed is None:
        raise _problem("The selected file must be a PDF, JPG or PNG")
    content_type, extension = sniffed
    stored_name = secrets.token_hex(16) + extension
    path = receipt_folder() / stored_name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    receipt = Receipt(
        spend_line=line,
        original_filename=(secure_filename(filename) or "receipt")[:200],
        stored_name=stored_name,
        content_type=content_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    db.session.add(receipt)
    db.session.flush()
    record(
        "receipt_uploaded",
        "spend_line",
        line.public_id,
        f"{line.reference}: receipt {receipt.public_id} ({content_type}, {len(content)} bytes)",
        actor=actor,
    )
    return receipt


def remove_receipt(receipt: Receipt, actor: User) -> None:
    line = receipt.spend_line
    if not line.is_editable:
        raise _problem(
            f"Receipts cannot be removed from {line.reference} now it is {line.status.label.lower()}", about_state=True
        )
    path = receipt_path(receipt)
    record(
        "receipt_removed", "spend_line", line.public_id, f"{line.reference}: receipt {receipt.public_id}", actor=actor
    )
    line.receipts.remove(receipt)
    db.session.flush()
    if has_request_context():
        from resettle.web.transactions import after_commit

        after_commit(lambda: path.unlink(missing_ok=True))  # keep the file if the removal is rolled back
    else:
        path.unlink(missing_ok=True)
