"""One error shape for the whole API: `{"code", "status", "message", "errors": {"field": ["message"]}}`.

flask-smorest's own app-wide error handler is not installed (see `ResettleApi`): resettle/web/errors.py answers
every error, as a GOV.UK page for the pages and with `json_error` under /api/.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Response, jsonify
from flask_smorest import abort
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token: Authorization: Bearer <token>.",
    403: "Your role or this token's scope does not allow this.",
    404: "Not found.",
    405: "That method is not allowed here.",
    409: "That conflicts with the record as it is now.",
    412: "The record has changed since you read it.",
    413: "The request is too large.",
    415: "Send the body as JSON (Content-Type: application/json).",
    422: "Some of what was sent is not valid.",
    428: "Send If-Match with the ETag you read.",
    429: "Too many requests for this token. Wait a minute and try again.",
    503: "Sorry, the service is unavailable. Try again in a minute.",
}


class ErrorSchema(Schema):
    code = fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    status = fields.String(required=True, metadata={"description": "Always 'error'"})
    message = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={"description": "Messages by field name: {'field': ['message']}"},
    )
    current_version = fields.Integer(
        metadata={"description": "On 412: the record's version now (its ETag is in the ETag header)"}
    )


def api_abort(
    status: int,
    message: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> NoReturn:
    """Stop the request with an API error. `extra` adds top-level keys (such as `current_version`)."""
    data: dict[str, Any] = {"errors": errors or {}, "extra": extra}
    if message:
        data["message"] = message
    if headers:
        data["headers"] = headers
    abort(status, **data)
    raise AssertionError("unreachable")  # pragma: no cover  (abort raises)


def field_error(status: int, field: str, message: str, **extra: Any) -> NoReturn:
    api_abort(status, MESSAGES.get(status), {field: [message]}, **extra)


def _plain_keys(value: Any) -> Any:
    """webargs keys list items by index (int); JSON object keys are strings."""
    if isinstance(value, dict):
        return {str(key): _plain_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_keys(item) for item in value]
    return value


def _field_errors(data: dict[str, Any]) -> dict[str, Any]:
    """Our own `errors`, or webargs' `messages` (keyed by location: json, query, headers...) merged by field."""
    if "errors" in data:
        errors: dict[str, Any] = _plain_keys(data["errors"])
        return errors
    merged: dict[str, Any] = {}
    for location, messages in (data.get("messages") or {}).items():
        if isinstance(messages, dict):
            merged.update(_plain_keys(messages))
        else:  # a body that is not JSON, or not an object
            merged[str(location)] = _plain_keys(messages if isinstance(messages, list) else [messages])
    return merged


def json_error(status: int, message: str | None = None, error: HTTPException | None = None) -> Response:
    data: dict[str, Any] = getattr(error, "data", None) or {}
    body: dict[str, Any] = {
        "code": status,
        "status": "error",
        "message": data.get("message") or message or MESSAGES.get(status) or "Sorry, there is a problem.",
        "errors": _field_errors(data),
        **(data.get("extra") or {}),
    }
    response = jsonify(body)
    response.status_code = status
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="resettle"'
    return response
