"""Pure rules: the lifecycle, the home and DBS checklists, postcodes, and offers as the matching engine reads them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from resettle.extensions import db
from resettle.families.places import normalise_postcode
from resettle.offers.matching import problem_offers
from resettle.offers.models import DbsStatus, OfferStatus
from resettle.offers.queries import matchable_offers_query
from resettle.offers.rules import TRANSITIONS, DbsCheck, HousingChecks, can_change, dbs_problems, housing_check_problems
from resettle.offers.services import location_for
from resettle.taxonomy import Category
from tests.offers.factories import GoodsOfferFactory, HousingOfferFactory, OfferFactory, TutorOfferFactory

TODAY = date(2026, 11, 21)
S = OfferStatus


def test_terminal_statuses_lead_nowhere_and_expired_offers_come_back_as_submissions() -> None:
    assert set(TRANSITIONS) == set(OfferStatus)
    for status in (S.FULFILLED, S.WITHDRAWN, S.REJECTED):
        assert TRANSITIONS[status] == frozenset()
    assert can_change(S.SUBMITTED, S.VERIFIED) and can_change(S.MATCHED, S.VERIFIED)
    assert can_change(S.EXPIRED, S.SUBMITTED) and not can_change(S.EXPIRED, S.VERIFIED)
    assert not can_change(S.SUBMITTED, S.MATCHED)  # checked before it is used


def _home(**changes: Any) -> HousingChecks:
    values = {
        "has_gas_supply": True,
        "gas_safety_checked_on": TODAY - timedelta(days=365),
        "electrical_report_on": date(2021, 11, 21),
        "epc_rating": "E",
        "smoke_alarms_every_storey": True,
        "co_alarm_where_needed": True,
        "inspected_on": TODAY,
    }
    return HousingChecks(**{**values, **changes})


def test_a_home_meeting_every_check_on_its_limits_passes() -> None:
    assert housing_check_problems(_home(), TODAY) == {}
    assert housing_check_problems(_home(has_gas_supply=False, gas_safety_checked_on=None), TODAY) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"gas_safety_checked_on": TODAY - timedelta(days=366)}, "gas_safety_checked_on"),
        ({"gas_safety_checked_on": None}, "gas_safety_checked_on"),
        ({"electrical_report_on": date(2021, 11, 20)}, "electrical_report_on"),
        ({"epc_rating": "F"}, "epc_rating"),
        ({"epc_rating": None}, "epc_rating"),
        ({"smoke_alarms_every_storey": False}, "smoke_alarms_every_storey"),
        ({"co_alarm_where_needed": False}, "co_alarm_where_needed"),
        ({"inspected_on": None}, "inspected_on"),
        ({"inspected_on": TODAY + timedelta(days=1)}, "inspected_on"),
    ],
)
def test_each_home_check_can_stop_verification(changes: dict[str, Any], field: str) -> None:
    assert list(housing_check_problems(_home(**changes), TODAY)) == [field]


def test_dbs_rules_depend_on_who_the_person_works_with() -> None:
    future = TODAY + timedelta(days=1)
    assert dbs_problems(Category.MEAL, DbsCheck(None, None), TODAY) == {}
    assert dbs_problems(Category.ESOL, DbsCheck(DbsStatus.ENHANCED, future), TODAY) == {}
    assert set(dbs_problems(Category.ESOL, DbsCheck(DbsStatus.APPLIED, TODAY), TODAY)) == {
        "dbs_status",
        "dbs_expires_on",
    }
    assert "dbs_status" in dbs_problems(Category.CHILDCARE, DbsCheck(DbsStatus.ENHANCED, future), TODAY)
    assert dbs_problems(Category.CHILDCARE, DbsCheck(DbsStatus.ENHANCED_BARRED, future), TODAY) == {}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("se64ru", "SE6 4RU"),
        (" se13  6aa ", "SE13 6AA"),
        ("BR1 1AA", "BR1 1AA"),
        ("SE6", None),
        ("hello", None),
        ("", None),
    ],
)
def test_postcodes_are_normalised(typed: str, expected: str | None) -> None:
    assert normalise_postcode(typed) == expected


def test_locations_come_from_the_district_table_only() -> None:
    assert location_for("SE6 4RU") == pytest.approx((51.437, -0.016))
    assert location_for("EH1 1AA") is None  # not in the table: no location, never a network lookup


def test_a_home_maps_onto_an_engine_offer(database: Any) -> None:
    home = HousingOfferFactory(reference="OF-HOME01", available_from=date(2026, 12, 1))
    assert problem_offers(home) == [
        {
            "id": "OF-HOME01",
            "category": "housing",
            "capacity": 1,
            "cost": 0,
            "available_from": "2026-12-01",
            "available_until": None,
            "attributes": {"bedrooms": 3, "rent": 194467, "step_free": True, "location": [51.459, -0.011]},
        }
    ]


def test_goods_become_one_engine_offer_per_item_line_and_paid_tutors_carry_their_cost(database: Any) -> None:
    goods = GoodsOfferFactory(reference="OF-GOODS1", item_lines=[("cot", 1), ("bedding", 3)])
    assert [(o["id"], o["category"], o["capacity"], o["attributes"]["item"]) for o in problem_offers(goods)] == [
        ("OF-GOODS1-1", "furniture", 1, "cot"),
        ("OF-GOODS1-2", "household", 3, "bedding"),
    ]
    tutor = TutorOfferFactory(reference="OF-TUTOR1", cost_pence=2500)
    [entry] = problem_offers(tutor)
    assert entry["cost"] == 2500 and entry["attributes"]["languages"] == ["Arabic"]
    assert entry["attributes"]["home_visit"] is True and "halal" not in entry["attributes"]


def test_only_verified_offers_in_the_active_pool_go_to_the_engine(database: Any) -> None:
    OfferFactory(reference="OF-VERIF1", status=OfferStatus.VERIFIED)
    OfferFactory(reference="OF-WAIT01", status=OfferStatus.VERIFIED, on_waiting_list=True)
    OfferFactory(reference="OF-SUBMIT", status=OfferStatus.SUBMITTED)
    offers = db.session.execute(matchable_offers_query()).scalars()
    assert [entry["id"] for offer in offers for entry in problem_offers(offer)] == ["OF-VERIF1"]
