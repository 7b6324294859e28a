"""The signed-in home page and a public health check for the load balancer."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.auth.models import Role
from resettle.auth.permissions import STAFF, public_route, roles_required
from resettle.clock import local_today
from resettle.main import bp
from resettle.main.home import (
    admin_work,
    caseworker_budget_alerts,
    caseworker_work,
    reviewer_budget_alerts,
    reviewer_work,
)
from resettle.main.readiness import readiness


@bp.route("/")
@roles_required(*STAFF)
def home() -> str:
    today = local_today()
    context: dict[str, Any] = {"user": current_user, "today": today}
    if current_user.role == Role.CASEWORKER:
        context["work"] = caseworker_work(current_user, today)
        context["budgets"] = caseworker_budget_alerts(current_user, today)
    elif current_user.role == Role.REVIEWER:
        context["work"], context["next_claim"] = reviewer_work()
        context["budgets"] = reviewer_budget_alerts(today)
    else:
        context["work"], context["accounts"], context["last_run"] = admin_work()
    return render_template("main/home.html", **context)


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
