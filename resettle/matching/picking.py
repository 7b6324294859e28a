"""Picking an offer by hand: every available offer of the need's kind, with the plain-language reasons
(`why_not`) it does not suit, and for a paid one the funding stream that would pay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from resettle.extensions import db
from resettle.families.models import Need
from resettle.funding.matching_inputs import problem_funding
from resettle.funding.models import FundingStream
from resettle.matching.builder import WEIGHTS, OfferLine, available_offer_lines, family_key, need_key
from resettle.matching.models import RejectedPair
from resettle.matching.why_not import pounds, why_not


@dataclass
class Candidate:
    engine_id: str
    line: OfferLine
    entry: dict[str, Any]
    reasons: list[str]
    stream: FundingStream | None
    charge_pence: int

    @property
    def is_compatible(self) -> bool:
        return not self.reasons


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


def candidates_for(need: Need, day: date) -> list[Candidate]:
    """Available offers of the need's category, compatible ones first."""
    entry = need.as_problem_need(need_key(need), family_key(need.family))
    funding = problem_funding(day, families=[need.family])
    family = funding["families"].get(need.family_id, {"budgets": {}, "pools": []})
    reasons_by_line = {
        (r.offer_id, r.offer_item_id): r.reason
        for r in db.session.execute(select(RejectedPair).where(RejectedPair.need_id == need.id)).scalars()
    }
    streams = {stream.code: stream for stream in db.session.execute(select(FundingStream)).scalars()}
    out = []
    for offer_entry, line in available_offer_lines():
        if offer_entry["category"] != need.category.value:
            continue
        if (
            entry["requires"].get("item")
            and (offer_entry.get("attributes") or {}).get("item") != entry["requires"]["item"]
        ):
            continue
        reasons = why_not(
            entry,
            list(need.family.location) if need.family.location else None,
            offer_entry,
            day,
            WEIGHTS,
            rejection_reason=reasons_by_line.get(line.key),
        )
        charge = offer_entry["cost"] * need.units
        stream = None
        if charge > 0 and not reasons:
            code = paying_stream(entry, family, offer_entry, charge, funding["streams"])
            if code is None:
                reasons.append(f"Costs {pounds(charge)} and no funding open to this family can pay it")
            else:
                stream = streams[code]
        out.append(Candidate(offer_entry["id"], line, offer_entry, reasons, stream, charge))
    return sorted(out, key=lambda c: (not c.is_compatible, c.engine_id))
