"""Community offers: the public offer form and private links (`public_bp`), and the staff review queue (`bp`)."""

from flask import Blueprint

public_bp = Blueprint("offers_public", __name__)
bp = Blueprint("offers", __name__, url_prefix="/offers")

from resettle.offers import views  # noqa: E402,F401  (registers routes)
