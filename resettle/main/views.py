"""The signed-in home page and a public health check for the load balancer."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from resettle.auth.models import Role
from resettle.auth.permissions import STAFF, public_route, roles_required
from resettle.extensions import db
from resettle.families.dates import local_today
from resettle.main import bp
from resettle.main.home import admin_work, caseworker_work, reviewer_work


@bp.route("/")
@roles_required(*STAFF)
def home() -> str:
    today = local_today()
    context: dict[str, Any] = {"user": current_user, "today": today}
    if current_user.role == Role.CASEWORKER:
        context["work"] = caseworker_work(current_user, today)
    elif current_user.role == Role.REVIEWER:
        context["work"], context["next_claim"] = reviewer_work()
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
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
