"""The problem builder: today's open needs, verified available offers, families' locations and budgets, in
the engine's format (../shared/matching/SPEC.md), with a map from the engine's ids back to the records.

- Needs: every open need of a family still being supported (`Need.as_problem_need`), with the offers a
  caseworker rejected for it as `excluded_offers` (the engine's documented extension).
- Offers: verified offers in the active pool, one engine offer per goods item line (`problem_offers` of the
  offers feature), with the capacity that live matches already hold taken off; a line with nothing left is
  left out.
- Families: location and, from the funding feature, the family budgets and pools open to them on the day;
  `streams` are the funding streams open on the day.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from resettle.dataprotection.restriction import processing_allowed
from resettle.extensions import db
from resettle.families.models import Family, FamilyStatus, Need, NeedStatus
from resettle.families.models.need import NEED_FIELDS, problem_need
from resettle.funding.budgets import ODD_RECORD_ERRORS, SkippedRecord
from resettle.funding.matching_inputs import problem_funding
from resettle.funding.models import FundingStream
from resettle.matching.models import ACTIVE_MATCH_STATUSES, Match, RejectedPair
from resettle.offers.matching import matchable_offer_fields, problem_offer_entries, problem_offers
from resettle.offers.models import Offer, OfferItem
from resettle.offers.queries import matchable_offers_query

# The weights of the specification: urgent needs first, donations before paid offers, near before far.
WEIGHTS = {
    "priority_value": {"1": 100, "2": 300, "3": 1000, "4": 3000, "5": 10000},
    "cost_weight": 0.5,
    "distance_weight": 5.0,
}
SUPPORTED_FAMILY_STATUSES = (FamilyStatus.REFERRED, FamilyStatus.ARRIVING, FamilyStatus.ARRIVED)


@dataclass(frozen=True)
class OfferLine:
    """One engine offer: an offer, or one item line of a goods offer."""

    offer: Offer
    item: OfferItem | None

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.offer.id, self.item.id if self.item else None)

    @property
    def capacity(self) -> int:
        return self.item.quantity if self.item is not None else self.offer.capacity

    @property
    def title(self) -> str:
        if self.item is not None:
            return f"{self.item.kind_label} ({self.offer.reference})"
        return f"{self.offer.title} ({self.offer.reference})"


@dataclass(frozen=True)
class NeedRef:
    """What a run keeps of a need it put in the problem: plain values, read with it in one statement."""

    id: int
    family_id: int
    family_reference: str
    units: int
    priority: int
    location: tuple[float, float] | None  # the family's


@dataclass(frozen=True)
class OfferRef:
    """What a run keeps of an engine offer: the offer and its item line (None for a whole offer)."""

    offer_id: int
    item_id: int | None
    reference: str
    location: tuple[float, float] | None

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.offer_id, self.item_id)


@dataclass
class BuiltProblem:
    problem: dict[str, Any]
    # Records left out because a stored value cannot be used (an infinite distance, an impossible date).
    skipped: list[SkippedRecord] = field(default_factory=list)
    needs: dict[str, NeedRef] = field(default_factory=dict)
    offers: dict[str, OfferRef] = field(default_factory=dict)
    streams: dict[str, int] = field(default_factory=dict)  # stream code -> FundingStream.id
    families: dict[str, int] = field(default_factory=dict)  # engine id -> Family.id


def need_key(need: Need | NeedRef) -> str:
    return f"N{need.id}"


def family_key(family: Family) -> str:
    return f"F{family.id}"


def reserved_units() -> dict[tuple[int, int | None], int]:
    """Units of each offer line that live matches hold."""
    rows = db.session.execute(
        select(Match.offer_id, Match.offer_item_id, func.sum(Match.units))
        .where(Match.status.in_(ACTIVE_MATCH_STATUSES))
        .group_by(Match.offer_id, Match.offer_item_id)
    )
    return {(offer_id, item_id): int(units) for offer_id, item_id, units in rows}


def reserved_on(offer: Offer, item: OfferItem | None) -> int:
    statement = select(func.coalesce(func.sum(Match.units), 0)).where(
        Match.offer_id == offer.id, Match.status.in_(ACTIVE_MATCH_STATUSES)
    )
    statement = (
        statement.where(Match.offer_item_id == item.id) if item else statement.where(Match.offer_item_id.is_(None))
    )
    return int(db.session.execute(statement).scalar_one())


def offer_lines(offer: Offer) -> list[tuple[dict[str, Any], OfferLine]]:
    """The engine entries of an offer beside the line each one stands for (same order as problem_offers)."""
    entries = problem_offers(offer)
    if not offer.items:
        return [(entries[0], OfferLine(offer, None))]
    return [(entry, OfferLine(offer, item)) for entry, item in zip(entries, offer.items, strict=True)]


def available_offer_lines(
    reserved: dict[tuple[int, int | None], int] | None = None,
) -> list[tuple[dict[str, Any], OfferLine]]:
    """Verified offers in the active pool, line by line, with their remaining capacity as `capacity`."""
    reserved = reserved_units() if reserved is None else reserved
    lines = []
    for offer in db.session.execute(matchable_offers_query()).scalars():
        for entry, line in offer_lines(offer):
            left = line.capacity - reserved.get(line.key, 0)
            if left > 0:
                lines.append(({**entry, "capacity": left}, line))
    return lines


def open_needs() -> list[Need]:
    statement = (
        select(Need)
        .join(Family, Family.id == Need.family_id)
        .where(Need.status == NeedStatus.OPEN, Family.status.in_(SUPPORTED_FAMILY_STATUSES))
        .where(processing_allowed())  # restricted families are not matched
        .order_by(Need.id)
    )
    return list(db.session.execute(statement).scalars())


def rejected_lines() -> dict[int, set[tuple[int, int | None]]]:
    """{need id: offer lines turned down for it}."""
    out: dict[int, set[tuple[int, int | None]]] = defaultdict(set)
    for need_id, offer_id, item_id in db.session.execute(
        select(RejectedPair.need_id, RejectedPair.offer_id, RejectedPair.offer_item_id)
    ):
        out[need_id].add((offer_id, item_id))
    return out


def odd_value(entry: Any, path: str = "") -> str | None:
    """Where an engine entry holds a number the engine refuses (infinite or not a number), if anywhere."""
    if isinstance(entry, float) and not math.isfinite(entry):
        return f"{path or 'value'} is {entry}"
    if isinstance(entry, dict):
        for key, value in entry.items():
            found = odd_value(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(entry, list | tuple):
        for index, value in enumerate(entry):
            found = odd_value(value, f"{path}[{index}]")
            if found:
                return found
    return None


def _location(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    return None if latitude is None or longitude is None else (latitude, longitude)


def _offer_refs(reserved: dict[tuple[int, int | None], int]) -> list[tuple[dict[str, Any], OfferRef]]:
    """Every matchable offer line with capacity left, as (engine entry, OfferRef): two statements of plain
    columns (the offers, their item lines), whatever the number of offers."""
    offers_statement, items_statement = matchable_offer_fields()
    items: dict[int, list[Any]] = defaultdict(list)
    for item in db.session.execute(items_statement):
        items[item.offer_id].append(item)
    lines = []
    for offer in db.session.execute(offers_statement):
        offer_items = items.get(offer.id, [])
        location = _location(offer.latitude, offer.longitude)
        entries = problem_offer_entries(offer, offer_items)
        refs = [OfferRef(offer.id, item.id, offer.reference, location) for item in offer_items] or [
            OfferRef(offer.id, None, offer.reference, location)
        ]
        for entry, ref in zip(entries, refs, strict=True):
            left = entry["capacity"] - reserved.get(ref.key, 0)
            if left > 0:
                lines.append(({**entry, "capacity": left}, ref))
    return lines


def _open_need_rows() -> Any:
    """Open needs of supported families not restricted, with the family's reference and location: one
    statement of plain columns."""
    return db.session.execute(
        select(*NEED_FIELDS, Family.reference.label("family_reference"), Family.latitude, Family.longitude)
        .join(Family, Family.id == Need.family_id)
        .where(Need.status == NeedStatus.OPEN, Family.status.in_(SUPPORTED_FAMILY_STATUSES))
        .where(processing_allowed())  # restricted families are not matched
        .order_by(Need.id)
    )


def build_problem(day: date) -> BuiltProblem:
    """Today's problem in a fixed number of statements of plain columns (no record is loaded one by one):
    the funding figures (grouped sums), the offers and their lines, the places held, the rejected pairs and
    the open needs with their families."""
    funding = problem_funding(day)
    built = BuiltProblem(
        problem={
            "version": 1,
            "date": day.isoformat(),
            "weights": WEIGHTS,
            "streams": funding["streams"],
            "families": [],
            "needs": [],
            "offers": [],
        }
    )
    built.skipped.extend(funding["skipped"])
    built.streams = dict(db.session.execute(select(FundingStream.code, FundingStream.id)).tuples().all())
    for entry, ref in _offer_refs(reserved_units()):
        problem = odd_value(entry)
        if problem:
            built.skipped.append(SkippedRecord("offer", ref.reference, f"left out: {problem}"))
            continue
        built.problem["offers"].append(entry)
        built.offers[entry["id"]] = ref
    engine_id_of_line = {ref.key: engine_id for engine_id, ref in built.offers.items()}
    rejected = rejected_lines()
    skipped_families: set[int] = set()
    no_money: dict[str, Any] = {"budgets": {}, "pools": []}
    for row in _open_need_rows():
        family_id, reference = row.family_id, row.family_reference
        if family_id in skipped_families:
            continue
        key = f"F{family_id}"
        location = _location(row.latitude, row.longitude)
        if key not in built.families:
            money = funding["families"].get(family_id, no_money)
            family_problem = {
                "id": key,
                "location": list(location) if location else None,
                "budgets": money["budgets"],
                "pools": money["pools"],
            }
            problem = odd_value(family_problem)
            if problem:
                skipped_families.add(family_id)
                built.skipped.append(SkippedRecord("family", reference, f"needs left out: {problem}"))
                continue
            built.families[key] = family_id
            built.problem["families"].append(family_problem)
        try:
            entry = problem_need(row, f"N{row.id}", key)
        except ODD_RECORD_ERRORS as error:
            built.skipped.append(SkippedRecord("need", f"{reference} need {row.id}", f"left out: {error}"))
            continue
        problem = odd_value(entry)
        if problem:
            built.skipped.append(SkippedRecord("need", f"{reference} need {row.id}", f"left out: {problem}"))
            continue
        excluded = sorted(engine_id_of_line[k] for k in rejected.get(row.id, ()) if k in engine_id_of_line)
        if excluded:
            entry["excluded_offers"] = excluded
        built.problem["needs"].append(entry)
        built.needs[entry["id"]] = NeedRef(row.id, family_id, reference, row.units, row.priority, location)
    # The problem is complete here: anything that adjusts the whole problem before solving goes at this point.
    return built
