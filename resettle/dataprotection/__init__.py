"""Data protection: subject access requests, erasure, restriction, retention and the record of processing."""

from flask import Blueprint

bp = Blueprint("dataprotection", __name__, url_prefix="/data-protection")

from resettle.dataprotection import views  # noqa: E402,F401
