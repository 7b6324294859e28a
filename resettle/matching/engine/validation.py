"""Checking the fields of a matching problem (format version 1) as they are read: each reader returns
the plain value or raises ProblemError naming what is wrong. A need or an offer is read whole, into a
NeedFields or an OfferFields, before Problem codes it into its arrays."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from typing_extensions import TypeIs

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Stated maxima: every count and sum of money stays far inside int64 (the largest charge,
# MAX_COST_PENCE * MAX_UNITS = 10^18, is below 2^63 ~ 9.2 * 10^18), and a distance limit above half
# the Earth's circumference (~20,015 km) simply means "anywhere".
MAX_UNITS = 10**6  # units one need takes
MAX_CAPACITY = 10**9  # units one offer holds
MAX_COST_PENCE = 10**12  # pence per unit (GBP 10 bn)
MAX_BUDGET_PENCE = 10**15  # a family's budget or a pool (GBP 10 trn)
MAX_DISTANCE_KM = 100_000.0  # a distance limit (two and a half times round the Earth)
MAX_WEIGHT = 1e12  # a priority value, the cost weight or the distance weight (in absolute value)
MAX_MEASURE = 1e12  # bedrooms, rent


class ProblemError(ValueError):
    """A malformed problem: the message names what is wrong, on one line."""


def fail(msg: str) -> NoReturn:
    """Reject the problem with `msg`."""
    raise ProblemError(msg)


def is_number(given: object) -> TypeIs[int | float]:
    """A finite JSON number (true and false are not numbers)."""
    return isinstance(given, (int, float)) and not isinstance(given, bool) and math.isfinite(given)


def is_whole_number(given: object) -> TypeIs[int]:
    """A JSON integer (true and false are not integers)."""
    return isinstance(given, int) and not isinstance(given, bool)


def read_id(given: object, what: str) -> str | int:
    """An id: a non-empty string or an integer."""
    if isinstance(given, bool) or not isinstance(given, (str, int)) or given == "":
        fail(f"{what} has a missing or invalid id {given!r}")
    return given


def read_object(given: object, what: str) -> Mapping[str, Any]:
    """A JSON object."""
    if not isinstance(given, dict):
        fail(f"{what} must be a JSON object")
    return given


def read_optional_object(given: object, what: str) -> Mapping[str, Any]:
    """A JSON object, empty where absent."""
    if given is None:
        return {}
    return read_object(given, what)


def read_list(given: object, what: str, optional: bool = False) -> list[Any]:
    """A JSON list (empty where absent, if optional)."""
    if given is None and optional:
        return []
    if not isinstance(given, list):
        fail(f"{what} must be a list")
    return given


def read_date(given: object, what: str, optional: bool = True) -> int | None:
    """A YYYY-MM-DD date as its ordinal (None where absent, if optional)."""
    if given is None:
        if optional:
            return None
        fail(f"{what} is missing")
    if not isinstance(given, str) or not _DATE.match(given):
        fail(f"{what} must be a YYYY-MM-DD date, not {given!r}")
    try:
        return dt.date.fromisoformat(given).toordinal()
    except ValueError:
        fail(f"{what} is not a valid date: {given!r}")


def read_optional_bool(given: object, what: str) -> bool:
    """true or false, false where absent."""
    if given is None:
        return False
    if not isinstance(given, bool):
        fail(f"{what} must be true or false, not {given!r}")
    return given


def read_optional_number(
    given: object, what: str, minimum: float | None = None, maximum: float = MAX_MEASURE
) -> float | None:
    """A number as a float (None where absent), at least `minimum` if given, at most `maximum` in
    absolute value."""
    if given is None:
        return None
    if not is_number(given):
        fail(f"{what} must be a number, not {_short(given)}")
    if minimum is not None and given < minimum:
        fail(f"{what} must be at least {minimum}, not {_short(given)}")
    if abs(given) > maximum:
        fail(f"{what} must be at most {maximum:g}, not {_short(given)}")
    return float(given)


def read_whole_number(given: object, what: str, minimum: int, maximum: int, unit: str = "") -> int:
    """A JSON integer within [minimum, maximum] (so never near int64's limits)."""
    if not is_whole_number(given) or given < minimum:
        fail(f"{what} must be a whole number{unit} >= {minimum}, not {_short(given)}")
    if given > maximum:
        fail(f"{what} must be at most {maximum:,}{unit}, not {_short(given)}")
    return given


def _short(given: object) -> str:
    """A value for a one-line message (huge integers and long strings cut short)."""
    text = repr(given)
    return text if len(text) <= 40 else text[:37] + "..."


def read_optional_string(given: object, what: str) -> str | None:
    """A string, None where absent."""
    if given is None:
        return None
    if not isinstance(given, str):
        fail(f"{what} must be a string, not {given!r}")
    return given


def read_location(given: object, what: str) -> tuple[bool, float, float, float]:
    """[latitude, longitude] in degrees as (has, lat_rad, lon_rad, cos_lat)."""
    if given is None:
        return False, 0.0, 0.0, 1.0
    if not isinstance(given, list) or len(given) != 2 or not all(is_number(coordinate) for coordinate in given):
        fail(f"{what} must be [latitude, longitude], not {given!r}")
    lat, lon = float(given[0]), float(given[1])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        fail(f"{what} is out of range: {given!r}")
    lat, lon = math.radians(lat), math.radians(lon)
    return True, lat, lon, math.cos(lat)


@dataclass(slots=True)
class NeedFields:
    """One need, checked; None (or false) where the problem leaves a requirement out."""

    id: str | int
    family: int  # the family's position
    category: str
    priority: int | str  # as written; str(priority) is its key in weights.priority_value
    units: int
    needed_by: int | None  # date ordinal
    item: str | None
    bedrooms_min: float | None
    rent_max: float | None
    step_free: bool
    language: str | None
    halal: bool
    home_visit: bool
    max_distance_km: float | None
    excluded_offers: list[Any]  # offer ids this need must not be paired with (extension; empty where absent)
    keep_offer: str | int | None  # the offer of its undecided proposal from the last run (extension)


@dataclass(slots=True)
class OfferFields:
    """One offer, checked; None (or false) where the problem leaves an attribute out."""

    id: str | int
    category: str
    capacity: int
    cost: int  # pence per unit
    available_from: int | None  # date ordinals
    available_until: int | None
    item: str | None
    bedrooms: float | None
    rent: float | None
    step_free: bool
    halal: bool
    home_visit: bool
    languages: list[str]
    location: tuple[bool, float, float, float]  # as read_location returns it


def read_need(
    raw: object,
    position: int,
    seen_ids: Mapping[str | int, int],
    family_index: Mapping[str | int, int],
    priority_values: Mapping[str, float],
) -> NeedFields:
    """The need at `position`, given the ids of the needs before it, the families' positions by id and
    the priority values by key."""
    need = read_object(raw, f"needs[{position}]")
    nid = read_id(need.get("id"), f"needs[{position}]")
    if nid in seen_ids:
        fail(f"duplicate need id {nid!r}")
    fid = need.get("family")
    fam = family_index.get(fid) if isinstance(fid, (str, int)) else None
    if fam is None:
        fail(f"need {nid} names unknown family {fid!r}")
    cat = need.get("category")
    if not isinstance(cat, str):
        fail(f"need {nid} has no category")
    priority = need.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, (int, str)) or str(priority) not in priority_values:
        fail(f"need {nid} has priority {priority!r} with no priority_value")
    units = need.get("units", 1)
    if units is None:
        units = 1
    read_whole_number(units, f"need {nid} units", 1, MAX_UNITS)
    needed_by = read_date(need.get("needed_by"), f"need {nid} needed_by")
    req = read_optional_object(need.get("requires"), f"need {nid} requires")
    # keyword arguments are evaluated in the order written: the order the fields are checked in
    return NeedFields(
        id=nid,
        family=fam,
        category=cat,
        priority=priority,
        units=units,
        needed_by=needed_by,
        item=read_optional_string(req.get("item"), f"need {nid} requires.item"),
        bedrooms_min=read_optional_number(req.get("bedrooms_min"), f"need {nid} requires.bedrooms_min"),
        rent_max=read_optional_number(req.get("rent_max"), f"need {nid} requires.rent_max"),
        step_free=read_optional_bool(req.get("step_free"), f"need {nid} requires.step_free"),
        language=read_optional_string(req.get("language"), f"need {nid} requires.language"),
        halal=read_optional_bool(req.get("halal"), f"need {nid} requires.halal"),
        home_visit=read_optional_bool(req.get("home_visit"), f"need {nid} requires.home_visit"),
        max_distance_km=read_optional_number(
            req.get("max_distance_km"), f"need {nid} requires.max_distance_km", minimum=0, maximum=MAX_DISTANCE_KM
        ),
        excluded_offers=_read_excluded_offers(need.get("excluded_offers"), nid),
        keep_offer=_read_keep_offer(need.get("keep_offer"), nid),
    )


def _read_keep_offer(given: object, nid: str | int) -> str | int | None:
    """The optional `keep_offer` extension: one offer id (checked against the offers once they are read)."""
    if given is not None and (isinstance(given, bool) or not isinstance(given, (str, int))):
        fail(f"need {nid} keep_offer {_short(given)} is not an offer id")
    return given


def _read_excluded_offers(given: object, nid: str | int) -> list[Any]:
    """The optional `excluded_offers` extension: a list of offer ids (checked against the offers once
    they are read, in Problem)."""
    ids = read_list(given, f"need {nid} excluded_offers", optional=True)
    for oid in ids:
        if isinstance(oid, bool) or not isinstance(oid, (str, int)):
            fail(f"need {nid} excluded_offers lists {oid!r}, which is not an offer id")
    return ids


def read_offer(raw: object, position: int, seen_ids: Mapping[str | int, int]) -> OfferFields:
    """The offer at `position`, given the ids of the offers before it."""
    offer = read_object(raw, f"offers[{position}]")
    oid = read_id(offer.get("id"), f"offers[{position}]")
    if oid in seen_ids:
        fail(f"duplicate offer id {oid!r}")
    cat = offer.get("category")
    if not isinstance(cat, str):
        fail(f"offer {oid} has no category")
    cap = read_whole_number(offer.get("capacity"), f"offer {oid} capacity", 0, MAX_CAPACITY)
    cost = offer.get("cost", 0)
    if cost is None:
        cost = 0
    read_whole_number(cost, f"offer {oid} cost", 0, MAX_COST_PENCE, " of pence")
    available_from = read_date(offer.get("available_from"), f"offer {oid} available_from")
    available_until = read_date(offer.get("available_until"), f"offer {oid} available_until")
    attributes = read_optional_object(offer.get("attributes"), f"offer {oid} attributes")
    # keyword arguments are evaluated in the order written: the order the fields are checked in
    return OfferFields(
        id=oid,
        category=cat,
        capacity=cap,
        cost=cost,
        available_from=available_from,
        available_until=available_until,
        item=read_optional_string(attributes.get("item"), f"offer {oid} attributes.item"),
        bedrooms=read_optional_number(attributes.get("bedrooms"), f"offer {oid} attributes.bedrooms"),
        rent=read_optional_number(attributes.get("rent"), f"offer {oid} attributes.rent"),
        step_free=read_optional_bool(attributes.get("step_free"), f"offer {oid} attributes.step_free"),
        halal=read_optional_bool(attributes.get("halal"), f"offer {oid} attributes.halal"),
        home_visit=read_optional_bool(attributes.get("home_visit"), f"offer {oid} attributes.home_visit"),
        languages=_read_languages(attributes.get("languages"), f"offer {oid}"),
        location=read_location(attributes.get("location"), f"offer {oid} attributes.location"),
    )


def _read_languages(given: object, offer: str) -> list[str]:
    """An offer's languages: a list of strings, empty where absent."""
    langs = read_list(given, f"{offer} attributes.languages", optional=True)
    for language in langs:
        if not isinstance(language, str):
            fail(f"{offer} lists a non-string language {language!r}")
    return langs
