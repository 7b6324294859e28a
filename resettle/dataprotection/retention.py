"""Retention periods per record type, read from configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def retention_summary(config: Mapping[str, Any]) -> dict[str, str]:
    """Each record type and how long it is kept, in words, for the record of processing and the review page."""
    audit_years = config["RETENTION_AUDIT_YEARS"]
    return {
        "Closed family cases": f"{config['RETENTION_CLOSED_CASE_YEARS']} years after last contact, then anonymised",
        "People who offer help": f"{config['RETENTION_OFFERER_YEARS']} years after their last offer, then anonymised",
        "Sent and failed emails": f"{config['RETENTION_SENT_EMAIL_DAYS']} days after sending, then deleted",
        "Audit log": (
            f"{audit_years} years, then listed for review (the log is append-only)"
            if audit_years
            else "Kept for as long as the council's policy requires (no automatic end)"
        ),
        "Records under legal hold": "Kept until the hold is lifted",
    }
