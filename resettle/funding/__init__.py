"""Funding: schemes and their rules as data, budgets, spend lines with receipts, review and claims."""

from flask import Blueprint

bp = Blueprint("funding", __name__, url_prefix="/funding")

from resettle.funding import config_views, review_views, spend_views  # noqa: E402,F401  (registers routes)
