"""The problem builder: a database state gives the expected problem."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine

from resettle.families.models import FamilyStatus, NeedStatus
from resettle.matching.builder import WEIGHTS, build_problem
from resettle.matching.models import RejectedPair
from resettle.offers.models import OfferStatus
from resettle.taxonomy import Category
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer
from tests.matching.factories import MatchFactory
from tests.offers.factories import GoodsOfferFactory, HousingOfferFactory

NOON = datetime(2026, 11, 21, 12, tzinfo=UTC)


def test_open_needs_available_offers_locations_budgets_and_rejections(database: Any, caseworker: Any) -> None:
    stream = family_stream(120_000, [Category.FURNITURE, Category.ESOL])
    family = arrived_family(caseworker, latitude=51.4613, longitude=-0.0106)
    housing = open_need(
        family, Category.HOUSING, priority=5, bedrooms_min=3, rent_max=180_000, step_free=True, max_distance_km=12.0
    )
    sofa = open_need(family, Category.FURNITURE, item="sofa", priority=4)
    beds = open_need(family, Category.FURNITURE, item="bed", units=2, priority=4)
    open_need(family, Category.MEAL, status=NeedStatus.MATCHED)  # already matched: not in the problem
    closed = arrived_family(status=FamilyStatus.CLOSED)
    open_need(closed, Category.ESOL)  # a closed case draws on nothing

    home = HousingOfferFactory(
        status=OfferStatus.VERIFIED, bedrooms=3, rent_pence=175_000, step_free=True, latitude=51.45, longitude=-0.01
    )
    HousingOfferFactory(status=OfferStatus.SUBMITTED)  # not verified yet
    verified_offer(Category.ESOL, on_waiting_list=True)  # on the waiting list
    goods = GoodsOfferFactory(
        status=OfferStatus.VERIFIED, item_lines=[("bed", 3), ("sofa", 1)], cost_pence=0, latitude=None, longitude=None
    )
    bed_line, sofa_line = goods.items
    other_need = open_need(arrived_family(), Category.FURNITURE, item="bed", status=NeedStatus.MATCHED)
    MatchFactory(need=other_need, offer=goods, offer_item=bed_line, units=1)  # one bed already promised
    database.session.add(RejectedPair(need=sofa, offer=goods, offer_item_id=sofa_line.id, reason="Too big"))
    database.session.flush()

    with time_machine.travel(NOON, tick=False):
        built = build_problem(NOON.date())
    problem = built.problem

    assert problem["version"] == 1 and problem["date"] == "2026-11-21" and problem["weights"] == WEIGHTS
    assert [s["id"] for s in problem["streams"]] == [stream.code]
    assert problem["families"] == [
        {"id": f"F{family.id}", "location": [51.4613, -0.0106], "budgets": {stream.code: 120_000}, "pools": []}
    ]
    needs = {n["id"]: n for n in problem["needs"]}
    assert set(needs) == {f"N{housing.id}", f"N{sofa.id}", f"N{beds.id}"}
    assert needs[f"N{housing.id}"] == {
        "id": f"N{housing.id}",
        "family": f"F{family.id}",
        "category": "housing",
        "priority": 5,
        "units": 1,
        "needed_by": "2027-01-15",
        "requires": {"bedrooms_min": 3, "rent_max": 180_000, "step_free": True, "max_distance_km": 12.0},
    }
    assert needs[f"N{sofa.id}"]["excluded_offers"] == [f"{goods.reference}-2"]
    assert "excluded_offers" not in needs[f"N{beds.id}"]
    offers = {o["id"]: o for o in problem["offers"]}
    assert set(offers) == {home.reference, f"{goods.reference}-1", f"{goods.reference}-2"}
    assert offers[f"{goods.reference}-1"]["capacity"] == 2  # three beds, one already promised
    assert offers[f"{goods.reference}-2"] == {
        "id": f"{goods.reference}-2",
        "category": "furniture",
        "capacity": 1,
        "cost": 0,
        "available_from": None,
        "available_until": None,
        "attributes": {"item": "sofa"},
    }
    assert offers[home.reference]["attributes"] == {
        "bedrooms": 3,
        "rent": 175_000,
        "step_free": True,
        "location": [51.45, -0.01],
    }
    assert built.offers[f"{goods.reference}-1"].key == (goods.id, bed_line.id)
    assert built.offers[home.reference].key == (home.id, None)
    sofa_ref = built.needs[f"N{sofa.id}"]
    assert (sofa_ref.id, sofa_ref.family_id, sofa_ref.units, sofa_ref.priority) == (
        sofa.id,
        sofa.family_id,
        sofa.units,
        sofa.priority,
    )


def test_a_line_whose_capacity_is_all_promised_is_left_out(database: Any) -> None:
    goods = GoodsOfferFactory(status=OfferStatus.VERIFIED, item_lines=[("cot", 1)])
    promised = open_need(arrived_family(), Category.FURNITURE, item="cot", status=NeedStatus.MATCHED)
    MatchFactory(need=promised, offer=goods, offer_item=goods.items[0])
    open_need(arrived_family(), Category.FURNITURE, item="cot")
    built = build_problem(NOON.date())
    assert built.problem["offers"] == []
    assert len(built.problem["needs"]) == 1


def test_requirements_that_do_not_apply_to_the_category_never_reach_the_engine(database: Any) -> None:
    # A sofa need saved while the form still offered every requirement: halal and step-free mean nothing for it.
    family = arrived_family()
    sofa = open_need(family, Category.FURNITURE, item="sofa", halal=True, step_free=True, language="Arabic")
    meal = open_need(family, Category.MEAL, halal=True, step_free=True, language="Arabic")
    built = build_problem(NOON.date())
    requires = {n["id"]: n["requires"] for n in built.problem["needs"]}
    assert requires[f"N{sofa.id}"] == {"item": "sofa"}
    assert requires[f"N{meal.id}"] == {"halal": True, "step_free": True}
