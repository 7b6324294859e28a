"""A re-run keeps undecided proposals where moving them gains nothing: the app passes each live
proposal to the engine as `keep_offer`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from resettle.clock import local_today
from resettle.matching.builder import build_problem
from resettle.matching.models import Proposal, ProposalStatus, RunTrigger
from resettle.matching.runs import run_matching
from resettle.matching.stability import add_keep_offers
from resettle.taxonomy import Category
from tests.matching.conftest import arrived_family, open_need, verified_offer


def _two_families_two_equal_classes(caseworker: Any) -> tuple[list[Any], list[Any]]:
    families = [arrived_family(caseworker, latitude=51.45, longitude=-0.02) for _ in range(2)]
    needs = [open_need(family, Category.ESOL, priority=3) for family in families]
    offers = [
        verified_offer(Category.ESOL, capacity=1, cost_pence=0, latitude=51.46, longitude=-0.02) for _ in range(2)
    ]
    return needs, offers


def test_live_proposals_become_keep_offers(database: Any, caseworker: Any) -> None:
    needs, offers = _two_families_two_equal_classes(caseworker)
    run = run_matching(caseworker, RunTrigger.MANUAL)
    assert len(run.proposals) == 2
    built = build_problem(local_today())
    assert add_keep_offers(built) == 2
    keep = {entry["id"]: entry["keep_offer"] for entry in built.problem["needs"]}
    for proposal in run.proposals:
        line = built.offers[keep[f"N{proposal.need.id}"]]
        assert line.offer_id == proposal.offer.id


def test_a_rerun_does_not_move_undecided_proposals_without_a_gain(database: Any, caseworker: Any) -> None:
    needs, offers = _two_families_two_equal_classes(caseworker)
    first = run_matching(caseworker, RunTrigger.MANUAL)
    # swap the two proposals (as an earlier run might have made them): both are as good as the other way
    p1, p2 = sorted(first.proposals, key=lambda p: p.need.id)
    p1.offer, p2.offer = p2.offer, p1.offer
    database.session.flush()
    before = {p.need.id: p.offer.id for p in first.proposals}
    second = run_matching(caseworker, RunTrigger.MANUAL)
    assert {p.need.id: p.offer.id for p in second.proposals} == before
    live = database.session.execute(select(Proposal).where(Proposal.status == ProposalStatus.PROPOSED)).scalars()
    assert {p.run_id for p in live} == {second.id}
    assert second.stats["keep_kept"] == 2


def test_a_better_offer_still_wins_over_keeping(database: Any, caseworker: Any) -> None:
    family = arrived_family(caseworker, latitude=51.45, longitude=-0.02)
    need = open_need(family, Category.ESOL, priority=3)
    far = verified_offer(Category.ESOL, capacity=1, cost_pence=0, latitude=51.55, longitude=-0.02)
    first = run_matching(caseworker, RunTrigger.MANUAL)
    assert [p.offer.id for p in first.proposals] == [far.id]
    near = verified_offer(Category.ESOL, capacity=1, cost_pence=0, latitude=51.451, longitude=-0.02)
    second = run_matching(caseworker, RunTrigger.MANUAL)
    assert [(p.need.id, p.offer.id) for p in second.proposals] == [(need.id, near.id)]
