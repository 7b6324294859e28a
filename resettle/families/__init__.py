"""Families: each resettled family's case, its members, needs, case notes and arrival tasks."""

from flask import Blueprint

bp = Blueprint("families", __name__, url_prefix="/families")
tasks_bp = Blueprint("tasks", __name__, url_prefix="/tasks")

from resettle.families import views  # noqa: E402,F401  (registers routes)
