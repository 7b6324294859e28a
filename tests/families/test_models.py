"""The family models hold together, keep their invariants in the database, and speak the engine's language."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from resettle.families.models import Family, LhaRate, Need
from resettle.taxonomy import Category, IntegrationDomain
from tests.families.factories import FamilyFactory, HealthNoteFactory, MemberFactory, NeedFactory, TaskFactory


def test_a_family_gets_an_unguessable_reference(database: Any) -> None:
    first, second = FamilyFactory(), FamilyFactory()
    assert len(first.reference) == 14 and first.reference.count("-") == 2
    assert first.reference != second.reference


def test_a_need_maps_to_the_engine_format(database: Any) -> None:
    need = NeedFactory(
        category=Category.HOUSING,
        priority=5,
        units=1,
        needed_by=date(2027, 1, 15),
        bedrooms_min=3,
        rent_max=160000,
        step_free=True,
        max_distance_km=12.0,
    )
    assert need.domain == IntegrationDomain.HOUSING
    assert need.as_problem_need("N1", "F1") == {
        "id": "N1",
        "family": "F1",
        "category": "housing",
        "priority": 5,
        "units": 1,
        "needed_by": "2027-01-15",
        "requires": {"bedrooms_min": 3, "rent_max": 160000, "step_free": True, "max_distance_km": 12.0},
    }


def test_goods_need_carries_its_item(database: Any) -> None:
    need = NeedFactory(category=Category.FURNITURE, item="bed", units=2, halal=False)
    assert need.requires() == {"item": "bed"}
    assert need.title == "Furniture and white goods: Bed (with mattress)"


@pytest.mark.parametrize(
    "fields", [{"priority": 0}, {"priority": 6}, {"units": 0}, {"category": Category.ESOL, "item": "bed"}]
)
def test_the_database_refuses_impossible_needs(database: Any, fields: dict) -> None:
    family = FamilyFactory()
    database.session.add(Need(family=family, **{"category": Category.FURNITURE, **fields}))
    with pytest.raises(IntegrityError):
        database.session.flush()
    database.session.rollback()


def test_the_database_refuses_arrival_before_referral(database: Any) -> None:
    database.session.add(
        Family(name="Test", scheme="VPRS", referral_date=date(2017, 5, 1), arrival_date=date(2017, 4, 1))
    )
    with pytest.raises(IntegrityError):
        database.session.flush()
    database.session.rollback()


def test_the_same_person_cannot_be_entered_twice(database: Any) -> None:
    member = MemberFactory()
    with pytest.raises(IntegrityError):
        MemberFactory(family=member.family, full_name=member.full_name, date_of_birth=member.date_of_birth)
    database.session.rollback()


def test_related_records_hang_off_the_family(database: Any) -> None:
    task = TaskFactory()
    note = HealthNoteFactory(family=task.family)
    assert note.family is task.family and task.assignee is task.family.caseworker
    assert LhaRate(weekly_rate=44877).monthly_rate == 194467
