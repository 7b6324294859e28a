"""Why an offer does not suit a need, in plain language, for the caseworker picking an offer by hand.

A pure function over the engine's own entries (a `needs` entry, the family's location, an `offers` entry and
the problem's date), applying the same rules as the engine (../shared/matching/SPEC.md), so the page and the
engine never disagree about what is compatible. No database or Flask here.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from resettle.taxonomy import ITEM_KINDS, Category, in_sentence

EARTH_RADIUS_KM = 6371.0088
DISTANCE_TOLERANCE_KM = 1e-9


def distance_km(a: list[float] | tuple[float, float], b: list[float] | tuple[float, float]) -> float:
    """Great-circle distance (haversine), as the engine measures it."""
    lat1, lon1, lat2, lon2 = (math.radians(value) for value in (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def pounds(pence: int | float) -> str:
    whole, rest = divmod(int(pence), 100)
    return f"£{whole:,}" if rest == 0 else f"£{whole:,}.{rest:02d}"


def long_date(value: str | date) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def _item_label(code: str | None) -> str:
    return in_sentence(ITEM_KINDS[code].label) if code in ITEM_KINDS else "something else"


def _category_label(code: str) -> str:
    try:
        return in_sentence(Category(code).label)
    except ValueError:
        return code


def _plural(count: int | float, one: str, many: str) -> str:
    return f"{count:g} {one if count == 1 else many}"


def value_of(need: dict[str, Any], offer: dict[str, Any], distance: float, weights: dict[str, Any]) -> float:
    charge = offer.get("cost", 0) * need.get("units", 1)
    return float(
        weights["priority_value"][str(need["priority"])]
        - weights["cost_weight"] * charge / 100
        - weights["distance_weight"] * distance
    )


def _item(requires: dict[str, Any], attributes: dict[str, Any]) -> list[str]:
    if requires.get("item") is not None and attributes.get("item") != requires["item"]:
        return [f"It is a {_item_label(attributes.get('item'))}; this need is for a {_item_label(requires['item'])}"]
    return []


def _home(requires: dict[str, Any], attributes: dict[str, Any]) -> list[str]:
    reasons = []
    wanted = requires.get("bedrooms_min")
    if wanted is not None and attributes.get("bedrooms") is None:
        reasons.append(f"The number of bedrooms is not known; this family needs {wanted:g}")
    elif wanted is not None and attributes["bedrooms"] < wanted:
        reasons.append(f"Only {_plural(attributes['bedrooms'], 'bedroom', 'bedrooms')}; this family needs {wanted:g}")
    limit, rent = requires.get("rent_max"), attributes.get("rent")
    if limit is not None and rent is not None and rent > limit:
        reasons.append(f"Rent {pounds(rent)} a month is above the {pounds(limit)} limit")
    if requires.get("step_free") and not attributes.get("step_free"):
        reasons.append("No step-free access; this family needs it")
    return reasons


def _service(requires: dict[str, Any], attributes: dict[str, Any]) -> list[str]:
    reasons = []
    if requires.get("language") and requires["language"] not in (attributes.get("languages") or []):
        reasons.append(f"Not offered in {requires['language']}; this need asks for it")
    if requires.get("halal") and not attributes.get("halal"):
        reasons.append("Not halal; this family needs halal food")
    if requires.get("home_visit") and not attributes.get("home_visit"):
        reasons.append("No home visits; this need asks for them")
    return reasons


def _when(need: dict[str, Any], offer: dict[str, Any], day: date) -> list[str]:
    reasons = []
    if offer.get("available_from") and need.get("needed_by") and offer["available_from"] > need["needed_by"]:
        reasons.append(
            f"Available only from {long_date(offer['available_from'])}; needed by {long_date(need['needed_by'])}"
        )
    if offer.get("available_until") and offer["available_until"] < day.isoformat():
        reasons.append(f"No longer available: it ended on {long_date(offer['available_until'])}")
    units = need.get("units", 1)
    if units > offer["capacity"]:
        reasons.append(f"Only {_plural(offer['capacity'], 'place', 'places')} left; this need takes {units}")
    return reasons


def why_not(
    need: dict[str, Any],
    family_location: list[float] | None,
    offer: dict[str, Any],
    day: date,
    weights: dict[str, Any],
    rejection_reason: str | None = None,
) -> list[str]:
    """Every reason the offer does not suit the need; an empty list when they are compatible (funding aside)."""
    if offer["category"] != need["category"]:
        return [f"It offers {_category_label(offer['category'])}; this need is for {_category_label(need['category'])}"]
    requires = need.get("requires") or {}
    attributes = offer.get("attributes") or {}
    reasons = _item(requires, attributes) + _home(requires, attributes) + _service(requires, attributes)
    distance = 0.0
    if family_location and attributes.get("location"):
        distance = distance_km(family_location, attributes["location"])
        limit = requires.get("max_distance_km")
        if limit is not None and distance > limit + DISTANCE_TOLERANCE_KM:
            reasons.append(f"{distance:.1f} km away; the limit is {limit:g} km")
    reasons += _when(need, offer, day)
    if not reasons and value_of(need, offer, distance, weights) <= 0:
        reasons.append("Its cost and distance outweigh what it would do for a need of this priority")
    if rejection_reason is not None:
        reasons.append(f"Turned down for this need before: {rejection_reason}")
    return reasons
