"""Plain-language reasons an offer does not suit a need, tested without a database or HTTP."""

from __future__ import annotations

from datetime import date

from resettle.matching.builder import WEIGHTS
from resettle.matching.why_not import distance_km, why_not

DAY = date(2026, 11, 21)
LEWISHAM = [51.4613, -0.0106]


def _need(**requires: object) -> dict:
    return {
        "id": "N1",
        "family": "F1",
        "category": "housing",
        "priority": 5,
        "units": 1,
        "needed_by": "2027-01-15",
        "requires": requires,
    }


def _home(capacity: int = 1, **attributes: object) -> dict:
    return {
        "id": "O1",
        "category": "housing",
        "capacity": capacity,
        "cost": 0,
        "available_from": None,
        "available_until": None,
        "attributes": attributes,
    }


def test_a_suitable_offer_has_no_reasons() -> None:
    need = _need(bedrooms_min=3, rent_max=180000, step_free=True)
    home = _home(bedrooms=3, rent=175000, step_free=True, location=[51.46, -0.01])
    assert why_not(need, LEWISHAM, home, DAY, WEIGHTS) == []


def test_bedrooms_rent_and_distance_read_as_a_caseworker_would_say_them() -> None:
    need = _need(bedrooms_min=3, rent_max=180000, max_distance_km=5)
    far = [LEWISHAM[0] + 0.0737, LEWISHAM[1]]  # about 8.2 km north
    home = _home(bedrooms=2, rent=195000, location=far)
    assert why_not(need, LEWISHAM, home, DAY, WEIGHTS) == [
        "Only 2 bedrooms; this family needs 3",
        "Rent £1,950 a month is above the £1,800 limit",
        f"{distance_km(LEWISHAM, far):.1f} km away; the limit is 5 km",
    ]
    assert f"{distance_km(LEWISHAM, far):.1f}" == "8.2"


def test_unknown_bedrooms_step_free_and_dates() -> None:
    need = _need(bedrooms_min=4, step_free=True)
    home = {**_home(), "available_from": "2027-03-03", "available_until": "2026-11-01"}
    assert why_not(need, LEWISHAM, home, DAY, WEIGHTS) == [
        "The number of bedrooms is not known; this family needs 4",
        "No step-free access; this family needs it",
        "Available only from 3 March 2027; needed by 15 January 2027",
        "No longer available: it ended on 1 November 2026",
    ]


def test_services_goods_and_places() -> None:
    tutor = {"id": "O2", "category": "esol", "capacity": 1, "cost": 0, "attributes": {"languages": ["Dari"]}}
    need = {
        "id": "N2",
        "family": "F1",
        "category": "esol",
        "priority": 3,
        "units": 2,
        "requires": {"language": "Arabic", "home_visit": True},
    }
    assert why_not(need, None, tutor, DAY, WEIGHTS) == [
        "Not offered in Arabic; this need asks for it",
        "No home visits; this need asks for them",
        "Only 1 place left; this need takes 2",
    ]
    meal = {"id": "O3", "category": "meal", "capacity": 3, "cost": 0, "attributes": {}}
    assert why_not({"category": "meal", "priority": 2, "requires": {"halal": True}}, None, meal, DAY, WEIGHTS) == [
        "Not halal; this family needs halal food"
    ]
    bed = {"id": "O4", "category": "furniture", "capacity": 1, "cost": 0, "attributes": {"item": "bed"}}
    assert why_not({"category": "furniture", "priority": 4, "requires": {"item": "sofa"}}, None, bed, DAY, WEIGHTS) == [
        "It is a bed (with mattress); this need is for a sofa"
    ]


def test_a_costly_offer_for_a_low_priority_need_and_an_earlier_rejection() -> None:
    tutor = {"id": "O5", "category": "esol", "capacity": 1, "cost": 50000, "attributes": {}}
    need = {"category": "esol", "priority": 1, "units": 1, "requires": {}}
    assert why_not(need, None, tutor, DAY, WEIGHTS) == [
        "Its cost and distance outweigh what it would do for a need of this priority"
    ]
    tutor["cost"] = 0
    assert why_not(need, None, tutor, DAY, WEIGHTS, rejection_reason="The family met them and it did not work") == [
        "Turned down for this need before: The family met them and it did not work"
    ]


def test_another_category_is_said_plainly() -> None:
    meal = {"id": "O3", "category": "meal", "capacity": 3, "cost": 0, "attributes": {}}
    assert why_not(_need(), None, meal, DAY, WEIGHTS) == ["It offers welcome meal; this need is for housing"]
