"""Security headers with a per-request CSP nonce, passed to the GOV.UK template as `cspNonce`."""

from __future__ import annotations

import secrets

from flask import Flask, Response, has_request_context, request


def _nonce() -> str:
    # Kept on the request (not `g`, which lives as long as the app context) so each response has its own.
    if not has_request_context():
        return ""
    if "resettle.csp_nonce" not in request.environ:
        request.environ["resettle.csp_nonce"] = secrets.token_urlsafe(18)
    return str(request.environ["resettle.csp_nonce"])


def init_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = _nonce

    @app.context_processor
    def inject_nonce() -> dict[str, str]:
        return {"cspNonce": _nonce()}

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        nonce = _nonce()
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Pages hold personal data: never keep them in shared or browser caches. Static assets may be cached.
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
