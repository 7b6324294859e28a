"""Answers a resident might give on the offer form, per type."""

from __future__ import annotations

import re
from typing import Any

NO_DATE = ["", "", ""]
OFFERER: dict[str, Any] = {
    "offerer_name": "Daniel Osei",
    "offerer_email": "daniel.osei@example.org",
    "offerer_phone": "020 7946 0000",
    "organisation": "",
    "consent": "y",
    "website": "",
}
HOUSING: dict[str, Any] = {
    "address": "Flat 2, 48 Hither Green Lane",
    "postcode": "se13 6qp",
    "bedrooms": "3",
    "rent": "1,944.67",
    "step_free": "yes",
    "landlord_type": "private",
    "certificates_held": ["gas_safety", "epc"],
    "available_from": ["1", "12", "2026"],
    "available_until": ["30", "11", "2028"],
    "description": "Near the station",
    **OFFERER,
}
GOODS: dict[str, Any] = {
    "items-0-kind": "cot",
    "items-0-quantity": "1",
    "items-0-condition": "as_new",
    "items-1-kind": "bed",
    "items-1-quantity": "2",
    "items-1-condition": "good",
    "handover": "collection",
    "postcode": "SE12 8PT",
    "available_from": NO_DATE,
    "description": "",
    **OFFERER,
}
TUTORING: dict[str, Any] = {
    "languages": ["Arabic", "French"],
    "capacity": "4",
    "hours_per_week": "6",
    "home_visit": "yes",
    "dbs_status": "enhanced",
    "postcode": "SE23 3HN",
    "available_from": NO_DATE,
    "available_until": NO_DATE,
    "description": "CELTA qualified",
    **OFFERER,
}
MEAL: dict[str, Any] = {
    "halal": "yes",
    "capacity": "4",
    "postcode": "SE13 7HY",
    "available_from": NO_DATE,
    "available_until": NO_DATE,
    "description": "",
    **OFFERER,
    "organisation": "Damascus Chef",
}
BEFRIENDING: dict[str, Any] = {
    "description": "Weekly walks and help finding the library",
    "capacity": "2",
    "languages": [],
    "home_visit": "no",
    "dbs_status": "none",
    "postcode": "SE8 3QE",
    "available_from": NO_DATE,
    "available_until": NO_DATE,
    **OFFERER,
}

LINK = re.compile(r"http://localhost(/offer/manage/\S+)")


def link_path(body: str) -> str:
    match = LINK.search(body)
    assert match, "no private link in the email"
    return match.group(1)
