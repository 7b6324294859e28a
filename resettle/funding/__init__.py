"""Funding: schemes and their rules as data, budgets, spend lines with receipts, review and claims."""

from flask import Blueprint

bp = Blueprint("funding", __name__, url_prefix="/funding")

from resettle.families.spend import register_section_provider, register_spend_provider  # noqa: E402
from resettle.funding import views  # noqa: E402,F401  (registers routes)
from resettle.funding.family_summary import family_spend_section, family_spend_summary  # noqa: E402

register_spend_provider(family_spend_summary)
register_section_provider(family_spend_section)
