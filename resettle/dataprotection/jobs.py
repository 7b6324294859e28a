"""The nightly retention job."""

from __future__ import annotations

from flask import current_app

from resettle.dataprotection.retention import apply_retention
from resettle.jobs import register_job


@register_job(
    "apply_retention",
    "cron",
    "Anonymise closed cases, offerers and delivered emails past their retention period (counts are logged)",
    hour=2,
    minute=30,
)
def apply_retention_job() -> dict[str, int]:
    return apply_retention(current_app.config)
