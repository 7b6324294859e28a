"""Business rules for families, members and needs, without HTTP: bad input is refused before anything is
saved, and every change is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from resettle.auth.models import Role
from resettle.families.errors import FamilyError
from resettle.families.members import MemberDetails, add_member, record_member_left, update_member
from resettle.families.models import Family, FamilyStatus, Member, Need, NeedStatus, Relationship, Scheme, Sex
from resettle.families.needs import NeedDetails, raise_need, update_need
from resettle.families.services import (
    FamilyDetails,
    add_case_note,
    change_status,
    create_family,
    record_consent,
    update_family,
)
from resettle.taxonomy import Category
from tests.factories import UserFactory
from tests.families.conftest import audit_actions
from tests.families.factories import FamilyFactory, MemberFactory

TODAY = date(2017, 6, 1)


def details(**overrides: Any) -> FamilyDetails:
    values = {
        "name": "Al-Hassan family",
        "scheme": "VPRS",
        "referral_date": date(2017, 1, 10),
        "arrival_date": date(2017, 2, 20),
        "postcode": "se13 6aa",
        "preferred_languages": ["Arabic", " "],
    }
    return FamilyDetails(**{**values, **overrides})


def applicant(**overrides: Any) -> MemberDetails:
    values = {
        "full_name": "Ahmad Al-Hassan",
        "date_of_birth": date(1976, 4, 2),
        "sex": Sex.MALE,
        "relationship_to_applicant": Relationship.APPLICANT,
    }
    return MemberDetails(**{**values, **overrides})


def count(database: Any, model: type) -> int:
    return database.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_create_family_places_it_from_the_postcode_and_audits(database: Any) -> None:
    actor = UserFactory(role=Role.CASEWORKER)
    family = create_family(details(caseworker=actor), actor, TODAY, applicant=applicant())
    assert family.postcode == "SE13 6AA"
    assert family.brma == "inner_south_east_london"
    assert family.location == (51.459, -0.011)
    assert family.preferred_languages == ["Arabic"]
    assert family.status == FamilyStatus.REFERRED
    assert [m.full_name for m in family.members] == ["Ahmad Al-Hassan"]
    assert audit_actions(database)[-2:] == ["family_created", "member_added"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"scheme": "SVPR"}, "scheme", "Select the resettlement scheme"),
        ({"arrival_date": date(2016, 12, 1)}, "arrival_date", "Arrival date must be on or after the referral date"),
        (
            {"referral_date": date(2017, 7, 1), "arrival_date": None},
            "referral_date",
            "Referral date must be today or in the past",
        ),
        ({"postcode": "not a postcode"}, "postcode", "Enter a real postcode, like SE13 6AA"),
        ({"brma": "somewhere_else"}, "brma", "Select the Broad Rental Market Area"),
        ({"name": "  "}, "name", "Enter a name for the family"),
    ],
)
def test_bad_family_input_is_refused_and_nothing_is_saved(
    database: Any, overrides: dict, field: str, message: str
) -> None:
    actor = UserFactory(role=Role.CASEWORKER)
    with pytest.raises(FamilyError) as raised:
        create_family(details(**overrides), actor, TODAY, applicant=applicant())
    assert (raised.value.field, raised.value.message) == (field, message)
    assert count(database, Family) == 0 and count(database, Member) == 0
    assert audit_actions(database) == []


def test_a_bad_applicant_stops_the_whole_family_being_saved(database: Any) -> None:
    actor = UserFactory(role=Role.CASEWORKER)
    with pytest.raises(FamilyError) as raised:
        create_family(details(), actor, TODAY, applicant=applicant(date_of_birth=date(2018, 1, 1)))
    assert raised.value.field == "date_of_birth"
    assert count(database, Family) == 0


def test_a_reviewer_cannot_be_the_caseworker(database: Any) -> None:
    reviewer = UserFactory(role=Role.REVIEWER)
    with pytest.raises(FamilyError, match="Select a caseworker"):
        create_family(details(caseworker=reviewer), reviewer, TODAY)


def test_members_duplicate_and_future_birth_are_refused(database: Any) -> None:
    member = MemberFactory(full_name="Rania Al-Hassan", date_of_birth=date(1981, 5, 5))
    with pytest.raises(FamilyError, match="already in this family"):
        add_member(
            member.family,
            applicant(
                full_name="rania al-hassan",
                date_of_birth=date(1981, 5, 5),
                relationship_to_applicant=Relationship.PARTNER,
            ),
            None,
            TODAY,
        )
    with pytest.raises(FamilyError, match="This family already has a principal applicant"):
        add_member(member.family, applicant(full_name="Someone Else"), None, TODAY)
    with pytest.raises(FamilyError, match="Date of birth must be today or in the past"):
        add_member(
            member.family,
            applicant(full_name="Baby", date_of_birth=date(2017, 6, 2), relationship_to_applicant=Relationship.CHILD),
            None,
            TODAY,
        )
    assert len(member.family.members) == 1


def test_updating_a_member_audits_what_changed_without_their_name(database: Any) -> None:
    member = MemberFactory(
        full_name="Karim", date_of_birth=date(2006, 1, 1), relationship_to_applicant=Relationship.CHILD, sex=Sex.MALE
    )
    update_member(
        member,
        applicant(
            full_name="Karim",
            date_of_birth=date(2006, 1, 1),
            sex=Sex.MALE,
            relationship_to_applicant=Relationship.CHILD,
            needs_step_free_access=True,
        ),
        None,
        TODAY,
    )
    from resettle.audit.models import AuditEvent

    event = database.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.action == "member_updated" and "step_free: no → yes" in event.summary
    assert "Karim" not in event.summary


def test_renaming_a_member_audits_that_the_name_changed_but_not_the_names(database: Any) -> None:
    member = MemberFactory(
        full_name="Karim Haddad",
        date_of_birth=date(2006, 1, 1),
        relationship_to_applicant=Relationship.CHILD,
        sex=Sex.MALE,
    )
    update_member(
        member,
        applicant(
            full_name="Kareem Haddad",
            date_of_birth=date(2006, 1, 1),
            sex=Sex.MALE,
            relationship_to_applicant=Relationship.CHILD,
        ),
        None,
        TODAY,
    )
    from resettle.audit.models import AuditEvent

    event = database.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert event.action == "member_updated" and "full_name changed" in event.summary
    assert "Karim" not in event.summary and "Kareem" not in event.summary


def test_a_housing_need_follows_the_household(database: Any) -> None:
    today = date(2025, 6, 1)  # LHA rates in the table start in April 2023
    family = FamilyFactory(brma="inner_south_east_london")
    MemberFactory(family=family, relationship_to_applicant=Relationship.APPLICANT, date_of_birth=date(1980, 1, 1))
    MemberFactory(
        family=family, relationship_to_applicant=Relationship.PARTNER, date_of_birth=date(1982, 1, 1), sex=Sex.MALE
    )
    need = raise_need(
        family, NeedDetails(category=Category.HOUSING, priority=5, follows_bedroom_standard=True), None, today
    )
    assert (need.bedrooms_min, need.rent_max) == (1, 129198)  # couple: 1 bedroom; inner SE London 1-bed rate
    assert need.requires() == {"bedrooms_min": 1, "rent_max": 129198}

    girl = add_member(
        family,
        applicant(
            full_name="Yasmin",
            date_of_birth=date(2012, 3, 1),
            sex=Sex.FEMALE,
            relationship_to_applicant=Relationship.CHILD,
        ),
        None,
        today,
    )
    add_member(
        family,
        applicant(
            full_name="Karim",
            date_of_birth=date(2014, 3, 1),
            sex=Sex.MALE,
            relationship_to_applicant=Relationship.CHILD,
        ),
        None,
        today,
    )
    assert (need.bedrooms_min, need.rent_max) == (3, 194467)  # girl 13 and boy 11 cannot share

    record_member_left(girl, date(2025, 5, 1), None, today)
    assert (need.bedrooms_min, need.rent_max) == (2, 154574)
    assert "need_recomputed" in audit_actions(database)


def test_no_rent_cap_is_invented_when_no_rate_is_in_force(database: Any) -> None:
    family = FamilyFactory(brma="inner_south_east_london")
    MemberFactory(family=family, date_of_birth=date(1980, 1, 1))
    need = raise_need(
        family,
        NeedDetails(category=Category.HOUSING, priority=5, follows_bedroom_standard=True),
        None,
        date(2017, 6, 1),
    )
    assert (need.bedrooms_min, need.rent_max) == (1, None)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"priority": 0}, "priority"),
        ({"priority": 6}, "priority"),
        ({"category": "cars"}, "category"),
        ({"category": Category.FURNITURE}, "item"),
        ({"category": Category.FURNITURE, "item": "kitchen_pack"}, "item"),
        ({"item": "bed"}, "item"),
        ({"units": 0}, "units"),
        ({"follows_bedroom_standard": True}, "follows_bedroom_standard"),
        ({"max_distance_km": -1.0}, "max_distance_km"),
        ({"max_distance_km": 100_001.0}, "max_distance_km"),
    ],
)
def test_bad_needs_are_refused(database: Any, overrides: dict, field: str) -> None:
    family = FamilyFactory()
    with pytest.raises(FamilyError) as raised:
        raise_need(family, NeedDetails(**{"category": Category.ESOL, "priority": 3, **overrides}), None, TODAY)
    assert raised.value.field == field
    assert count(database, Need) == 0


def test_closing_a_need_stamps_it_and_audits(database: Any) -> None:
    family = FamilyFactory()
    need = raise_need(family, NeedDetails(category=Category.FURNITURE, item="bed", units=3, priority=5), None, TODAY)
    update_need(
        need, NeedDetails(category=Category.FURNITURE, item="bed", units=3, priority=5), NeedStatus.MET, None, TODAY
    )
    assert need.status == NeedStatus.MET and need.closed_at is not None
    assert audit_actions(database)[-2:] == ["need_raised", "need_updated"]


def test_status_changes_notes_consent_and_updates_are_audited(database: Any) -> None:
    family = FamilyFactory(arrival_date=date(2017, 2, 20))
    change_status(family, FamilyStatus.ARRIVED, "Landed at Heathrow", None)
    with pytest.raises(FamilyError, match="already arrived"):
        change_status(family, FamilyStatus.ARRIVED, "", None)
    add_case_note(family, "First home visit went well", None)
    record_consent(family, "photographs", False, "", None)
    update_family(family, details(name="Renamed", scheme=Scheme.VCRS, caseworker=family.caseworker), None, TODAY)
    assert family.scheme == Scheme.VCRS
    assert audit_actions(database) == ["family_status_changed", "case_note_added", "consent_recorded", "family_updated"]


def test_a_confirmed_arrival_date_moves_only_through_confirmation(database: Any) -> None:
    from resettle.families.services import confirm_arrival

    family = FamilyFactory()
    confirm_arrival(family, date(2017, 2, 20), None)
    with pytest.raises(FamilyError) as raised:
        update_family(family, details(arrival_date=date(2017, 3, 1), caseworker=family.caseworker), None, TODAY)
    assert raised.value.field == "arrival_date"
    assert family.arrival_date == date(2017, 2, 20)


def test_family_audit_summaries_have_no_family_name_and_no_python_values(database: Any) -> None:
    from resettle.audit.models import AuditEvent
    from resettle.families.services import confirm_arrival

    family = FamilyFactory(name="Khalil", arrival_date=None)
    update_family(family, details(name="Al-Khalil", arrival_date=None, caseworker=family.caseworker), None, TODAY)
    confirm_arrival(family, date(2017, 2, 20), None)
    summaries = [
        event.summary
        for event in database.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["family_updated", "arrival_confirmed"]))
            .order_by(AuditEvent.id)
        ).scalars()
    ]
    assert "name changed" in summaries[0] and "Khalil" not in summaries[0]
    assert summaries[-1] == "Arrival date not set → 2017-02-20"
    assert not any("None" in summary for summary in summaries)
