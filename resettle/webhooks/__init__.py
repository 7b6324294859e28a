"""Webhooks: partners register a URL with the administrator and receive signed JSON events (offers submitted
and verified, proposals, matches accepted and fulfilled, spend approved) through an outbox sent by the
scheduler. See README, "Webhooks"."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")

from resettle.webhooks import views  # noqa: E402,F401
