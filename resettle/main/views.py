"""The signed-in home page and a public health check for the load balancer."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.auth.permissions import STAFF, public_route, roles_required
from resettle.main import bp
from resettle.main.readiness import readiness


@bp.route("/")
@roles_required(*STAFF)
def home() -> str:
    return render_template("main/home.html", user=current_user)


@bp.route("/accessibility")
@public_route
def accessibility_statement() -> str:
    return render_template("main/accessibility.html")


@bp.route("/healthz")
@public_route
def health() -> Response:
    """The process is up (for a liveness probe: it does not touch the database, so an outage of the database
    does not get healthy web processes restarted)."""
    return _no_cookies(jsonify(status="ok"))


@bp.route("/readyz")
@public_route
def ready() -> tuple[Response, int]:
    """Ready to serve: the database answers and its migrations are at head (for the load balancer)."""
    is_ready, checks = readiness()
    return _no_cookies(jsonify(status="ready" if is_ready else "not ready", checks=checks)), 200 if is_ready else 503


def _no_cookies(response: Response) -> Response:
    """Probes run every few seconds: nothing is cached, and nothing here touches the session (so no cookie)."""
    response.headers["Cache-Control"] = "no-store"
    return response
