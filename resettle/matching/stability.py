"""Stable proposals between runs: each need's undecided proposal from the last run is passed to the
engine as `keep_offer` (the engine's documented extension), so a re-run keeps it wherever that costs
at most 0.1% of the objective, instead of moving it to another family without a gain.

Called once on the built problem, before it is solved: `add_keep_offers(built)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from resettle.extensions import db
from resettle.matching.models import Proposal, ProposalStatus

if TYPE_CHECKING:
    from resettle.matching.builder import BuiltProblem


def add_keep_offers(built: BuiltProblem) -> int:
    """Set `keep_offer` on each need of the built problem whose live undecided proposal names an
    offer line that is still in the problem; returns how many were set. One query."""
    rows = db.session.execute(
        select(Proposal.need_id, Proposal.offer_id, Proposal.offer_item_id).where(
            Proposal.status == ProposalStatus.PROPOSED
        )
    )
    proposed = {need_id: (offer_id, item_id) for need_id, offer_id, item_id in rows}
    if not proposed:
        return 0
    engine_id_of_line = {line.key: engine_id for engine_id, line in built.offers.items()}
    count = 0
    for entry in built.problem["needs"]:
        line = proposed.get(built.needs[entry["id"]].id)
        offer_id = engine_id_of_line.get(line) if line is not None else None
        if offer_id is not None:
            entry["keep_offer"] = offer_id
            count += 1
    return count
