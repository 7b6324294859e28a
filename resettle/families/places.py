"""Where a family lives, from the postcode alone: a small table of South-East London postcode districts.

The centre of the district is close enough for "within 5 km" matching, needs no network geocoding, and
reveals no more than the district. The BRMA given here is only a suggestion (domain.md §2.2 says most of
each district falls in it): the caseworker confirms it against the property.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INNER = "inner_south_east_london"
OUTER = "outer_south_east_london"


@dataclass(frozen=True)
class District:
    latitude: float
    longitude: float
    brma: str | None


DISTRICTS: dict[str, District] = {
    "SE1": District(51.498, -0.089, None),
    "SE2": District(51.490, 0.118, None),
    "SE3": District(51.471, 0.018, INNER),
    "SE4": District(51.461, -0.035, INNER),
    "SE5": District(51.474, -0.091, None),
    "SE6": District(51.437, -0.016, INNER),
    "SE7": District(51.484, 0.036, None),
    "SE8": District(51.479, -0.028, INNER),
    "SE9": District(51.444, 0.054, OUTER),
    "SE10": District(51.481, 0.004, INNER),
    "SE11": District(51.489, -0.110, None),
    "SE12": District(51.445, 0.024, OUTER),
    "SE13": District(51.459, -0.011, INNER),
    "SE14": District(51.476, -0.043, INNER),
    "SE15": District(51.470, -0.064, INNER),
    "SE16": District(51.497, -0.052, INNER),
    "SE17": District(51.488, -0.093, None),
    "SE18": District(51.484, 0.070, None),
    "SE19": District(51.418, -0.083, None),
    "SE20": District(51.412, -0.057, None),
    "SE21": District(51.441, -0.087, None),
    "SE22": District(51.454, -0.070, None),
    "SE23": District(51.442, -0.048, INNER),
    "SE24": District(51.453, -0.099, None),
    "SE25": District(51.398, -0.074, None),
    "SE26": District(51.428, -0.052, INNER),
    "SE27": District(51.430, -0.101, None),
    "SE28": District(51.503, 0.113, None),
    "BR1": District(51.410, 0.021, OUTER),
    "BR2": District(51.390, 0.020, None),
    "BR3": District(51.406, -0.030, OUTER),
}

POSTCODE_PATTERN = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str | None:
    """`se13 6aa` → `SE13 6AA`; None when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", value.upper())
    match = POSTCODE_PATTERN.match(f"{compact[:-3]} {compact[-3:]}") if len(compact) >= 5 else None
    return f"{match.group(1)} {match.group(2)}" if match else None


def district_of(postcode: str) -> District | None:
    return DISTRICTS.get(postcode.split(" ")[0].upper()) if postcode else None
