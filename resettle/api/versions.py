"""ETag and If-Match on the record versions the pages already use (resettle/web/versions.py).

A record's ETag is its version in quotes (`"3"`). An update must send `If-Match` with the ETag it read:

    @blp.route("/<reference>", methods=["PATCH"])
    @roles_required(...)
    @blp.arguments(FamilyUpdateSchema)
    @blp.response(200, FamilySchema)
    @blp.if_match()
    def update_family(changes, reference):
        family = ...
        with matching_version(family):
            services.update_family(family, ...)
        return family                     # the response carries the new ETag

Without If-Match the answer is 422 (from `blp.if_match()`; 428 where only `check_if_match` is used); with
another version 412, with the current version in the body and its ETag in the header. A save that races past
the check is caught at flush (version_id_col) and answered 412 too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, after_this_request, request
from marshmallow import Schema, fields, validate
from sqlalchemy.orm.exc import StaleDataError

from resettle.api.errors import MESSAGES, api_abort
from resettle.extensions import db
from resettle.web.versions import RecordChanged


class IfMatchHeaderSchema(Schema):
    if_match = fields.String(
        data_key="If-Match",
        required=True,
        validate=validate.Length(min=1, max=200),
        error_messages={"required": "Send If-Match with the ETag you read"},
        metadata={"description": 'The ETag of the record as you read it, such as "3"'},
    )


def etag_of(record: Any) -> str:
    return f'"{int(record.version)}"'


def send_etag(record: Any) -> None:
    """Put the record's ETag on this response (its version after any change this request makes)."""

    @after_this_request
    def add_etag(response: Response) -> Response:
        if response.status_code < 400:
            response.headers["ETag"] = etag_of(record)
        return response


def _stale(record: Any) -> None:
    api_abort(
        412,
        MESSAGES[412],
        {"If-Match": [f"The record is at version {record.version} now. Read it again, then send your change."]},
        headers={"ETag": etag_of(record)},
        current_version=int(record.version),
    )


def check_if_match(record: Any) -> None:
    """428 without If-Match; 412 unless it names the record's current version (or is `*`)."""
    sent = request.headers.get("If-Match")
    if sent is None or not sent.strip():
        api_abort(428, MESSAGES[428], {"If-Match": ["Send If-Match with the ETag you read"]})
    tags = [tag.strip().removeprefix("W/") for tag in sent.split(",")]
    if "*" not in tags and etag_of(record) not in tags:
        _stale(record)


@contextmanager
def matching_version(record: Any) -> Iterator[None]:
    """Check If-Match, run the change, flush it; any race lost on the version is a 412. Sends the new ETag."""
    check_if_match(record)
    try:
        yield
        db.session.flush()
    except (RecordChanged, StaleDataError):
        db.session.rollback()
        db.session.refresh(record)
        _stale(record)
    send_etag(record)
