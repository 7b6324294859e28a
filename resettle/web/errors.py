"""Two error surfaces: JSON for /api, GOV.UK pages for everything else. No stack traces for users."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from resettle.extensions import db, login_manager

MESSAGES = {
    400: "The request could not be understood.",
    401: "You need to sign in to use this page.",
    403: "You do not have permission to see this page.",
    404: "Page not found.",
    405: "That action is not allowed on this page.",
    413: "The file is too large.",
    429: "Too many attempts. Wait a few minutes and try again.",
    503: "Sorry, the service is unavailable. Try again in a minute.",
}
# The database cannot be reached (down, restarting, out of connections). Connections are checked before use
# (pool_pre_ping), so once it is back the next request works without restarting the app.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int, message: str | None = None, errors: dict[str, Any] | None = None
) -> tuple[Response, int]:
    message = message or MESSAGES.get(status, "Sorry, there is a problem with the service.")
    if _wants_json():
        body = {"code": status, "status": "error", "message": message, "errors": errors or {}}
        return jsonify(body), status
    # GOV.UK error pages: the first sentence is the heading (no full stop), the rest a paragraph below it.
    heading, _, detail = message.partition(". ")
    page = render_template("errors/error.html", status=status, heading=heading.rstrip("."), detail=detail)
    return Response(page, status=status), status


def database_unavailable() -> tuple[Response, int]:
    try:
        db.session.rollback()
    except DATABASE_UNAVAILABLE:
        pass
    # The page is drawn as for a visitor: looking the user up would need the database again.
    g._login_user = login_manager.anonymous_user()
    response, status = error_response(503)
    response.headers["Retry-After"] = "60"
    return response, status


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def handle_database_unavailable(error: Exception) -> tuple[Response, int]:
        app.logger.error("database unavailable on %s %s: %s", request.method, request.path, error)
        return database_unavailable()

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError) -> tuple[Response, int]:
        db.session.rollback()
        message = "This form has expired or could not be checked. Go back, reload the page and try again."
        if _wants_json():
            return error_response(400, message)
        page = render_template("errors/csrf.html", message=message, retry_url=request.path)
        return Response(page, status=400), 400

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException) -> tuple[Response, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        if isinstance(getattr(error, "original_exception", None), DATABASE_UNAVAILABLE):
            app.logger.error("database unavailable on %s %s", request.method, request.path)
            return database_unavailable()
        if error.code >= 500:
            # Unhandled exceptions arrive here as a 500 (Flask re-raises them in tests instead).
            app.logger.error("server error on %s %s", request.method, request.path)
            return error_response(error.code, "Sorry, there is a problem with the service. Try again later.")
        description = error.description if error.code in (400, 403, 404, 409, 413) else None
        if description and description == getattr(type(error), "description", None):
            description = None  # werkzeug's generic text is not written for our users
        return error_response(error.code, description)
