"""Picking an offer by hand: every available offer of the need's kind, with the plain-language reasons
(`why_not`) it does not suit, for a paid one the funding stream that would pay, and for each what the caseworker
weighs (distance, places left, language, DBS check) and why the last matching run did not propose it.

The page runs a fixed number of statements whatever the number of offers: the offers of the need's category come
with their item lines in one joined query (an eager `selectinload` would split more than 500 ids into several
IN lists), and the last run's proposals and verdict on the need in one query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from resettle.auth.models import User
from resettle.extensions import db
from resettle.families.models import Need, NeedStatus
from resettle.funding.matching_inputs import problem_funding
from resettle.funding.models import FundingStream
from resettle.funding.queries import list_streams
from resettle.matching.builder import WEIGHTS, OfferLine, family_key, need_key, offer_lines, reserved_units
from resettle.matching.models import Match, MatchRun, Proposal, ProposalStatus, RejectedPair, UnmetNeed
from resettle.matching.runs import latest_run
from resettle.matching.services import MatchError, pick_offer
from resettle.matching.why_not import distance_km, pounds, value_of, why_not
from resettle.offers.models import DbsStatus, Offer, OfferItem, OfferStatus
from resettle.taxonomy import ITEM_KINDS

# The page shows this many candidates at a time, the best first.
PICK_PAGE_SIZE = 50


@dataclass
class Candidate:
    engine_id: str
    line: OfferLine
    entry: dict[str, Any]
    reasons: list[str]
    stream: FundingStream | None
    charge_pence: int
    distance_km: float | None = None
    # Why the last run did not propose it, for a suitable offer (an unsuitable one has `reasons`).
    not_proposed: str = ""
    value: float = 0.0

    @property
    def is_compatible(self) -> bool:
        return not self.reasons

    @property
    def places_left(self) -> int:
        return int(self.entry["capacity"])

    @property
    def languages(self) -> list[str]:
        return list((self.entry.get("attributes") or {}).get("languages") or [])

    @property
    def dbs_status(self) -> DbsStatus | None:
        return self.line.offer.dbs_status


def paying_stream(
    need_entry: dict[str, Any],
    family: dict[str, Any],
    offer_entry: dict[str, Any],
    charge: int,
    streams: list[dict[str, Any]],
) -> str | None:
    """The first stream (by code) that may pay `charge` for this pair, as the SPEC's funding rule says."""
    item = (offer_entry.get("attributes") or {}).get("item")
    for stream in sorted(streams, key=lambda s: s["id"]):
        if need_entry["category"] not in stream["categories"] or item in stream.get("excluded_items", []):
            continue
        if stream["scope"] == "family":
            budget = family["budgets"].get(stream["id"])
        else:
            budget = stream.get("budget") if stream["id"] in family["pools"] else None
        if budget is not None and budget >= charge:
            return str(stream["id"])
    return None


def offers_of_category(category: str) -> list[Offer]:
    """Verified offers in the active pool with something of `category`, with their item lines: one statement."""
    # An item line's category is its kind's (a property, not a column): ask for the kinds of the category.
    kinds = sorted(code for code, kind in ITEM_KINDS.items() if kind.category.value == category)
    statement = (
        select(Offer)
        .where(
            Offer.status == OfferStatus.VERIFIED,
            Offer.on_waiting_list.is_(False),
            or_(Offer.category == category, Offer.items.any(OfferItem.item_kind.in_(kinds or ["-"]))),
        )
        .options(joinedload(Offer.items))
        .order_by(Offer.id)
    )
    return list(db.session.execute(statement).unique().scalars())


@dataclass
class LastRun:
    """What the latest run said about this need and the offer lines it used elsewhere."""

    run: MatchRun | None
    proposal: Proposal | None
    unmet: UnmetNeed | None
    used_elsewhere: set[tuple[int, int | None]]

    @classmethod
    def for_need(cls, need: Need) -> LastRun:
        run = latest_run()
        if run is None:
            return cls(None, None, None, set())
        proposal = db.session.execute(
            select(Proposal)
            .where(Proposal.run_id == run.id, Proposal.need_id == need.id)
            .options(joinedload(Proposal.offer), joinedload(Proposal.offer_item))
            .limit(1)
        ).scalar_one_or_none()
        unmet = db.session.execute(
            select(UnmetNeed).where(UnmetNeed.run_id == run.id, UnmetNeed.need_id == need.id)
        ).scalar_one_or_none()
        used = {
            (offer_id, item_id)
            for offer_id, item_id in db.session.execute(
                select(Proposal.offer_id, Proposal.offer_item_id)
                .where(Proposal.run_id == run.id, Proposal.need_id != need.id)
                .where(Proposal.status.in_([ProposalStatus.PROPOSED, ProposalStatus.ACCEPTED]))
                .distinct()
            )
        }
        return cls(run, proposal, unmet, used)

    def why_not_proposed(self, need: Need, line: OfferLine) -> str:
        """Why the engine did not propose this suitable offer line for the need, in plain words."""
        run = self.run
        if run is None:
            return "Not proposed: matching has not run yet"
        if line.offer.verified_at is not None and line.offer.verified_at > run.started_at:
            return "Not proposed: checked and verified after the last matching run"
        if need.raised_at is not None and need.raised_at > run.started_at:
            return "Not proposed: this need was raised after the last matching run"
        if self.proposal is not None:
            same = (self.proposal.offer_id, self.proposal.offer_item_id) == line.key
            if same and self.proposal.status is ProposalStatus.PROPOSED:
                return "Proposed for this need in the last matching run: decide on it on the family's page"
            if same:
                return f"Proposed for this need in the last matching run, then {self.proposal.status.label.lower()}"
            chosen = OfferLine(self.proposal.offer, self.proposal.offer_item).title
            return f"Not proposed: the last matching run chose {chosen} for this need"
        if line.key in self.used_elsewhere:
            return "Not proposed: the last matching run gave it to another need"
        if self.unmet is not None:
            return f"Not proposed: the last matching run left this need unmet ({self.unmet.reason.label.lower()})"
        return "Not proposed by the last matching run"


def candidates_for(need: Need, day: date) -> list[Candidate]:
    """Available offers of the need's category: suitable ones first, each group best first (the engine's value:
    priority, less cost, less distance), then nearest."""
    entry = need.as_problem_need(need_key(need), family_key(need.family))
    # Only the streams that may pay for this need: the family's scheme's, for its kind of need. Other schemes'
    # pools would be worked out over all their families, and could pay nothing here.
    paying = [
        stream
        for stream in list_streams(open_on=day)
        if stream.scheme.code == need.family.scheme.value and need.category in stream.categories
    ]
    funding = problem_funding(day, families=[need.family], streams=paying)
    family = funding["families"].get(need.family_id, {"budgets": {}, "pools": []})
    reasons_by_line = {
        (r.offer_id, r.offer_item_id): r.reason
        for r in db.session.execute(select(RejectedPair).where(RejectedPair.need_id == need.id)).scalars()
    }
    streams = {stream.code: stream for stream in paying}
    reserved = reserved_units()
    last_run = LastRun.for_need(need)
    location = list(need.family.location) if need.family.location else None
    wanted_item = entry["requires"].get("item")
    out = []
    for offer in offers_of_category(need.category.value):
        for offer_entry, line in offer_lines(offer):
            left = line.capacity - reserved.get(line.key, 0)
            if left <= 0 or offer_entry["category"] != need.category.value:
                continue
            offer_entry = {**offer_entry, "capacity": left}
            if wanted_item and (offer_entry.get("attributes") or {}).get("item") != wanted_item:
                continue
            reasons = why_not(
                entry, location, offer_entry, day, WEIGHTS, rejection_reason=reasons_by_line.get(line.key)
            )
            charge = offer_entry["cost"] * need.units
            stream = None
            if charge > 0 and not reasons:
                code = paying_stream(entry, family, offer_entry, charge, funding["streams"])
                if code is None:
                    reasons.append(f"Costs {pounds(charge)} and no funding open to this family can pay it")
                else:
                    stream = streams[code]
            where = (offer_entry.get("attributes") or {}).get("location")
            distance = distance_km(location, where) if location and where else None
            candidate = Candidate(
                offer_entry["id"],
                line,
                offer_entry,
                reasons,
                stream,
                charge,
                distance_km=distance,
                value=value_of(entry, offer_entry, distance or 0.0, WEIGHTS),
            )
            if candidate.is_compatible:
                candidate.not_proposed = last_run.why_not_proposed(need, line)
            out.append(candidate)
    return sorted(
        out,
        key=lambda c: (
            not c.is_compatible,
            len(c.reasons),
            -c.value,
            c.distance_km if c.distance_km is not None else float("inf"),
            c.engine_id,
        ),
    )


def compatible_candidates(need: Need, day: date) -> dict[str, Candidate]:
    """The offers a caseworker may choose by hand for `need`, by engine id: none once the need is not open."""
    if need.status is not NeedStatus.OPEN:
        return {}
    return {c.engine_id: c for c in candidates_for(need, day) if c.is_compatible}


def pick_compatible_offer(
    need: Need, engine_id: str, actor: User, day: date, compatible: dict[str, Candidate] | None = None
) -> Match:
    """Match `need` with the compatible offer line `engine_id`, with the stream and charge worked out here
    (never taken from the caller; `compatible` is `compatible_candidates` when the caller has it already).
    MatchError on the `offer` field when it is not one of the suitable offers."""
    chosen = (compatible if compatible is not None else compatible_candidates(need, day)).get(engine_id)
    if chosen is None:
        raise MatchError("offer", "Select one of the suitable offers")
    return pick_offer(need, chosen.line.offer, chosen.line.item, chosen.stream, chosen.charge_pence, actor)
