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

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from resettle.dataprotection.restriction import processing_allowed
from resettle.extensions import db
from resettle.families.models import Family, FamilyStatus, Need, NeedStatus
from resettle.funding.matching_inputs import problem_funding
from resettle.funding.models import FundingStream
from resettle.matching.models import ACTIVE_MATCH_STATUSES, Match, RejectedPair
from resettle.offers.matching import problem_offers
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


@dataclass
class BuiltProblem:
    problem: dict[str, Any]
    needs: dict[str, Need] = field(default_factory=dict)
    offers: dict[str, OfferLine] = field(default_factory=dict)
    streams: dict[str, FundingStream] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)

    def need_key(self, need: Need) -> str:
        return need_key(need)


def need_key(need: Need) -> str:
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


def family_entry(family: Family, funding: dict[str, Any]) -> dict[str, Any]:
    money = funding["families"].get(family.id, {"budgets": {}, "pools": []})
    return {
        "id": family_key(family),
        "location": list(family.location) if family.location else None,
        "budgets": money["budgets"],
        "pools": money["pools"],
    }


def build_problem(day: date) -> BuiltProblem:
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
    built.streams = {stream.code: stream for stream in db.session.execute(select(FundingStream)).scalars()}
    for entry, line in available_offer_lines():
        built.problem["offers"].append(entry)
        built.offers[entry["id"]] = line
    engine_id_of_line = {line.key: engine_id for engine_id, line in built.offers.items()}
    rejected = rejected_lines()
    for need in open_needs():
        family = need.family
        if family_key(family) not in built.families:
            built.families[family_key(family)] = family
            built.problem["families"].append(family_entry(family, funding))
        entry = need.as_problem_need(need_key(need), family_key(family))
        excluded = sorted(engine_id_of_line[key] for key in rejected.get(need.id, ()) if key in engine_id_of_line)
        if excluded:
            entry["excluded_offers"] = excluded
        built.problem["needs"].append(entry)
        built.needs[entry["id"]] = need
    return built
