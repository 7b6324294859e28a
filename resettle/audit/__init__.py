"""Append-only audit log: who did what to which record, when and from where."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

from resettle.audit import chain, commands, views  # noqa: E402,F401
