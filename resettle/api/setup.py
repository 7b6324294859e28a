"""Wiring the API into the app: the Api and its document, token authentication, no cookies under /api/."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Response

from resettle.api.errors import api_abort
from resettle.api.spec import api_settings
from resettle.auth.permissions import public_route

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_api_request(req: Request) -> bool:
    return req.path.startswith("/api/")


class NoCookiesUnderTheApi(SecureCookieSessionInterface):
    """API calls authenticate with a token only: the session cookie is neither read nor set for them, so a
    signed-in browser cannot be made to call the API (no CSRF there) and responses carry no Set-Cookie."""

    def open_session(self, app: Flask, req: Request) -> SecureCookieSession | None:
        if is_api_request(req):
            return self.session_class()
        return super().open_session(app, req)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if is_api_request(request):
            return
        super().save_session(app, session, response)


def authenticate_api_request() -> None:
    """Before the access gate: under /api/ the user is the bearer token's owner, or nobody."""
    if not is_api_request(request):
        return
    from resettle.api.tokens import token_for_secret
    from resettle.extensions import login_manager

    # Set before anything asks Flask-Login, so it never looks for a session or remember-me cookie.
    g._login_user = login_manager.anonymous_user()
    header = request.headers.get("Authorization")
    if header is None:
        return
    kind, _, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        api_abort(401, "Send the token as Authorization: Bearer <token>.")
    token = token_for_secret(secret.strip())
    if token is None:
        api_abort(401, "This token does not work: it is unknown, revoked or expired, or its owner's role changed.")
    g._login_user = token.user
    g.api_token = token
    if request.method not in SAFE_METHODS and not token.may_write:
        api_abort(403, "This token may only read. Make a token that may read and change.")


def init_api(app: Flask) -> None:
    """Call before the access gate is installed, so the token's owner is known when it runs."""
    from resettle.api.spec import ResettleApi

    for name, value in api_settings().items():
        app.config.setdefault(name, value)
    app.config.setdefault("API_RATE_LIMIT", "120 per minute;5000 per hour")
    app.session_interface = NoCookiesUnderTheApi()
    app.before_request(authenticate_api_request)
    # One Api per app (not a module-level singleton): flask-smorest keeps the app and its document on the Api.
    api = ResettleApi(app)
    app.extensions["resettle_api"] = api
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A personal API token: rst_..."}
    )
    # The document is public, like the docs page that reads it: it describes the API, not anyone's data.
    app.view_functions["api-docs.openapi_json"] = public_route(
        _public_view(app.view_functions["api-docs.openapi_json"])
    )
    _register_api_blueprints(api)

    from resettle.api.pages import bp as pages_bp

    app.register_blueprint(pages_bp)


def _public_view(view: Any) -> Any:
    def openapi_json() -> Any:
        return view()

    return openapi_json


def _register_api_blueprints(api: Any) -> None:
    from resettle.api.views import blp as tokens_api
    from resettle.audit.api import blp as audit_api
    from resettle.families.api import blp as families_api
    from resettle.families.api import tasks_blp as tasks_api
    from resettle.funding.api import blp as funding_api
    from resettle.funding.config_api import blp as funding_config_api
    from resettle.matching.api import blp as matching_api
    from resettle.offers.api import blp as offers_api
    from resettle.offers.public_api import blp as public_api
    from resettle.webhooks.api import blp as webhooks_api

    for blueprint in (
        tokens_api,
        families_api,
        tasks_api,
        offers_api,
        matching_api,
        funding_api,
        funding_config_api,
        audit_api,
        public_api,
        webhooks_api,
    ):
        api.register_blueprint(blueprint)
