"""The signed-in home page and a public health check for the load balancer."""

from __future__ import annotations

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from resettle.auth.permissions import STAFF, public_route, roles_required
from resettle.extensions import db
from resettle.main import bp


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
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
