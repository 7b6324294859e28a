"""`Idempotency-Key` on every create, as the one-time submission keys of the pages (resettle/web/submissions.py).

The first request with a key stores it, per user, with a hash of the request and the reference of what it made,
in the same transaction as the record. The same key with the same request answers with that record again
(201, `Idempotent-Replayed: true`); the same key with another request is a 422 on `Idempotency-Key`. A request
that failed stored nothing, so it can be sent again with its key. Keys are kept for `KEEP_KEYS_FOR`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from resettle.api.errors import field_error
from resettle.api.models import IdempotencyKey
from resettle.db import utcnow
from resettle.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
KEEP_KEYS_FOR = timedelta(days=7)
KEY_PATTERN = r"^[A-Za-z0-9_-]{16,100}$"


class IdempotencyKeyHeaderSchema(Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        required=True,
        validate=validate.Regexp(KEY_PATTERN, error="Use 16 to 100 letters, digits, - or _ (a new UUID will do)"),
        error_messages={"required": "Send an Idempotency-Key header, new for each record you create"},
        metadata={"description": "A key new for each record you create; resend it to retry safely"},
    )


def request_hash() -> str:
    body = request.get_json(silent=True)
    if body is None:
        canonical = request.get_data(as_text=False)
    else:
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), canonical):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def _replay(key: str, this_request: str, find: Callable[[str], Any]) -> Any:
    """The earlier result for this key, or None if the key is new."""
    earlier = db.session.execute(
        select(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id, IdempotencyKey.key == key)
    ).scalar_one_or_none()
    if earlier is None:
        return None
    if earlier.request_hash != this_request:
        field_error(422, "Idempotency-Key", "This key was sent before with another request. Use a new key")
    made = find(earlier.result_reference)
    if made is None:
        field_error(409, "Idempotency-Key", "What this key made earlier is no longer there")
    return made, 201, {"Idempotent-Replayed": "true"}


def idempotent(find: Callable[[str], Any], reference_of: Callable[[Any], str]) -> Callable[[F], F]:
    """Wrap a create view (used through `ApiBlueprint.idempotent_create`, which also parses the header).

    `find(reference)` loads what an earlier request made, with the same checks as the record's GET;
    `reference_of(record)` is the reference to keep for it."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, idempotency_key: str, **kwargs: Any) -> Any:
            this_request = request_hash()
            earlier = _replay(idempotency_key, this_request, find)
            if earlier is not None:
                return earlier
            result = view(*args, **kwargs)
            made = result[0] if isinstance(result, tuple) else result
            try:
                with db.session.begin_nested():
                    db.session.add(
                        IdempotencyKey(
                            user_id=current_user.id,
                            key=idempotency_key,
                            request_hash=this_request,
                            result_reference=str(reference_of(made))[:100],
                        )
                    )
            except IntegrityError:
                # Another request with this key committed first: undo this one and answer as that one did.
                db.session.rollback()
                return _replay(idempotency_key, this_request, find) or field_error(
                    409, "Idempotency-Key", "Another request with this key is being handled. Try again"
                )
            return result

        return wrapper  # type: ignore[return-value]

    return decorate


def forget_old_idempotency_keys() -> int:
    removed = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP_KEYS_FOR))
    return int(getattr(removed, "rowcount", 0) or 0)
