"""Accounts, roles, sign-in and the deny-by-default access gate."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
admin_bp = Blueprint("users", __name__, url_prefix="/admin/users")

from resettle.auth import views  # noqa: E402,F401  (registers routes)
