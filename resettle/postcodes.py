"""UK postcodes: format checks and an approximate location for each postcode district.

Matching measures distances between families and offers, and the public "what is needed now" page names
areas, never addresses. Both only need the postcode district (the part before the space), so locations
come from this small table of district centres instead of a network geocoding service: nothing about a
resident or a family leaves the council's systems, and a postcode outside the table simply has no location
(the matching engine then ignores distance for it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POSTCODE_PATTERN = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


@dataclass(frozen=True)
class District:
    code: str
    latitude: float
    longitude: float
    area: str  # how the public pages name the wider area


# Approximate centres of the districts around the borough (to about half a kilometre).
_SOUTH_EAST = "South East London"
_DISTRICT_ROWS: list[tuple[str, float, float, str]] = [
    ("SE1", 51.4980, -0.0900, _SOUTH_EAST), ("SE2", 51.4890, 0.1190, _SOUTH_EAST),
    ("SE3", 51.4680, 0.0170, _SOUTH_EAST), ("SE4", 51.4610, -0.0340, _SOUTH_EAST),
    ("SE5", 51.4740, -0.0910, _SOUTH_EAST), ("SE6", 51.4370, -0.0170, _SOUTH_EAST),
    ("SE7", 51.4840, 0.0360, _SOUTH_EAST), ("SE8", 51.4790, -0.0270, _SOUTH_EAST),
    ("SE9", 51.4440, 0.0580, _SOUTH_EAST), ("SE10", 51.4800, 0.0010, _SOUTH_EAST),
    ("SE11", 51.4890, -0.1100, _SOUTH_EAST), ("SE12", 51.4430, 0.0230, _SOUTH_EAST),
    ("SE13", 51.4590, -0.0110, _SOUTH_EAST), ("SE14", 51.4750, -0.0430, _SOUTH_EAST),
    ("SE15", 51.4690, -0.0660, _SOUTH_EAST), ("SE16", 51.4950, -0.0520, _SOUTH_EAST),
    ("SE17", 51.4870, -0.0930, _SOUTH_EAST), ("SE18", 51.4820, 0.0750, _SOUTH_EAST),
    ("SE19", 51.4180, -0.0850, _SOUTH_EAST), ("SE20", 51.4110, -0.0570, _SOUTH_EAST),
    ("SE21", 51.4410, -0.0870, _SOUTH_EAST), ("SE22", 51.4520, -0.0700, _SOUTH_EAST),
    ("SE23", 51.4420, -0.0480, _SOUTH_EAST), ("SE24", 51.4520, -0.0990, _SOUTH_EAST),
    ("SE25", 51.3970, -0.0740, _SOUTH_EAST), ("SE26", 51.4280, -0.0530, _SOUTH_EAST),
    ("SE27", 51.4310, -0.1030, _SOUTH_EAST), ("SE28", 51.5030, 0.1110, _SOUTH_EAST),
    ("BR1", 51.4100, 0.0180, "Bromley"), ("BR2", 51.3900, 0.0220, "Bromley"),
    ("BR3", 51.4050, -0.0300, "Bromley"), ("BR4", 51.3760, -0.0050, "Bromley"),
    ("BR5", 51.3850, 0.0980, "Bromley"), ("BR6", 51.3700, 0.0900, "Bromley"),
    ("BR7", 51.4170, 0.0660, "Bromley"), ("BR8", 51.3950, 0.1700, "Bromley"),
    ("DA1", 51.4470, 0.2160, "Bexley and Dartford"), ("DA5", 51.4400, 0.1500, "Bexley and Dartford"),
    ("DA6", 51.4550, 0.1400, "Bexley and Dartford"), ("DA7", 51.4620, 0.1450, "Bexley and Dartford"),
    ("DA8", 51.4780, 0.1750, "Bexley and Dartford"), ("DA14", 51.4240, 0.1120, "Bexley and Dartford"),
    ("DA15", 51.4410, 0.1010, "Bexley and Dartford"), ("DA16", 51.4640, 0.1030, "Bexley and Dartford"),
    ("CR0", 51.3750, -0.0900, "Croydon"),
    ("SW2", 51.4500, -0.1200, "South West London"), ("SW4", 51.4600, -0.1400, "South West London"),
    ("SW8", 51.4780, -0.1300, "South West London"), ("SW9", 51.4700, -0.1150, "South West London"),
    ("E1", 51.5170, -0.0600, "East London"), ("E14", 51.5080, -0.0200, "East London"),
    ("N1", 51.5380, -0.1000, "North London"),
]
DISTRICTS: dict[str, District] = {row[0]: District(*row) for row in _DISTRICT_ROWS}


def normalise_postcode(value: str) -> str | None:
    """'se64ru ' -> 'SE6 4RU'; None when it is not a UK postcode in the usual format."""
    compact = re.sub(r"\s+", "", value or "").upper()
    match = POSTCODE_PATTERN.match(compact)
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_district(postcode: str | None) -> str | None:
    normalised = normalise_postcode(postcode or "")
    return normalised.split(" ")[0] if normalised else None


def district_for(postcode: str | None) -> District | None:
    code = postcode_district(postcode)
    return DISTRICTS.get(code) if code else None


def location_for(postcode: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of the postcode's district centre, or None when the district is not in the table."""
    district = district_for(postcode)
    return (district.latitude, district.longitude) if district else None
