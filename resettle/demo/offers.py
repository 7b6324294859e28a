"""Demo offers for a South East London borough, drawn from what residents really offered (Lewisham, 2017):
community landlords at Local Housing Allowance rents, a diocese's large house, halal restaurants' welcome
meals, a home-visiting ESOL tutor, furniture, music lessons and befriending."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from resettle.auth.models import User
from resettle.db import utcnow
from resettle.extensions import db
from resettle.offers.models import DbsStatus, Handover, ItemCondition, LandlordType, Offer, OfferItem, OfferStatus
from resettle.offers.services import OFFERER, add_event, location_for, new_reference
from resettle.taxonomy import Category

CASEWORKER = "amira.caseworker@council.example"


def _offer(days_ago: int, **values: Any) -> Offer:
    items = values.pop("items", [])
    sent = utcnow() - timedelta(days=days_ago)
    offer = Offer(reference=new_reference(), status=OfferStatus.SUBMITTED, consent_at=sent, submitted_at=sent, **values)
    offer.items = [
        OfferItem(item_kind=kind, quantity=quantity, condition=condition) for kind, quantity, condition in items
    ]
    location = location_for(offer.postcode)
    if location:
        offer.latitude, offer.longitude = location
    add_event(offer, "submitted", actor_label=OFFERER, to_status=OfferStatus.SUBMITTED)
    offer.events[-1].occurred_at = offer.submitted_at
    return offer


def _moved(offer: Offer, status: OfferStatus, staff: User, note: str) -> None:
    old, offer.status = offer.status, status
    add_event(offer, "status_changed", actor=staff, from_status=old, to_status=status, note=note)
    if status is OfferStatus.VERIFIED:
        offer.verified_at, offer.verified_by_id = utcnow(), staff.id


def load_demo(users_by_email: dict[str, User]) -> None:
    if db.session.execute(select(func.count()).select_from(Offer)).scalar_one():
        return
    staff = users_by_email[CASEWORKER]
    today = utcnow().date()
    home_checks = {
        "has_gas_supply": True,
        "gas_safety_checked_on": today - timedelta(days=40),
        "electrical_report_on": today - timedelta(days=400),
        "epc_rating": "C",
        "smoke_alarms_every_storey": True,
        "co_alarm_where_needed": True,
        "inspected_on": today - timedelta(days=5),
    }

    diocese = _offer(
        30,
        category=Category.HOUSING,
        offerer_name="Revd Margaret Ellis",
        organisation="Diocese of Southwark",
        offerer_email="property@southwark-diocese.example",
        offerer_phone="020 7946 0101",
        address="The Old Vicarage, 12 Canadian Avenue",
        postcode="SE6 3AU",
        bedrooms=5,
        rent_pence=219397,
        step_free=False,
        landlord_type=LandlordType.FAITH_OR_COMMUNITY,
        certificates_held=["gas_safety", "electrical", "epc"],
        available_from=today + timedelta(days=14),
        description="Large enough for grandparents, parents and children together. Garden.",
        **home_checks,
    )
    _moved(diocese, OfferStatus.VERIFIED, staff, "Home checks met; inspected with the diocese's surveyor")
    flat = _offer(
        6,
        category=Category.HOUSING,
        offerer_name="Daniel Osei",
        offerer_email="d.osei@example.org",
        address="Flat 2, 48 Hither Green Lane",
        postcode="SE13 6QP",
        bedrooms=3,
        rent_pence=194467,
        step_free=True,
        landlord_type=LandlordType.PRIVATE,
        certificates_held=["gas_safety", "epc"],
        available_from=today + timedelta(days=30),
        available_until=today + timedelta(days=760),
        description="Ground floor flat with level access, near Hither Green station.",
    )
    small = _offer(
        3,
        category=Category.HOUSING,
        offerer_name="Helen Park",
        offerer_email="helen.park@example.org",
        address="31 Brockley Road",
        postcode="SE4 2SA",
        bedrooms=2,
        rent_pence=154574,
        step_free=False,
        landlord_type=LandlordType.PRIVATE,
        certificates_held=["electrical"],
        available_from=today + timedelta(days=45),
    )
    chef = _offer(
        25,
        category=Category.MEAL,
        offerer_name="Abdullah Alawayed",
        organisation="Damascus Chef",
        offerer_email="hello@damascus-chef.example",
        offerer_phone="020 7946 0202",
        postcode="SE13 7HY",
        halal=True,
        capacity=4,
        description="A free welcome meal at the restaurant, any weekday evening.",
    )
    _moved(chef, OfferStatus.VERIFIED, staff, "Spoke to Abdullah; meals to be booked through the caseworker")
    grill = _offer(
        9,
        category=Category.MEAL,
        offerer_name="Yusuf Demir",
        organisation="Catford Grill House",
        offerer_email="yusuf@catford-grill.example",
        postcode="SE6 4JU",
        halal=True,
        capacity=3,
        available_until=today + timedelta(days=5),
    )
    tutor = _offer(
        40,
        category=Category.ESOL,
        offerer_name="Sarah Whitfield",
        organisation="Lewisham Citizens",
        offerer_email="sarah.whitfield@example.org",
        postcode="SE23 3HN",
        languages=["Arabic"],
        capacity=4,
        hours_per_week=6,
        home_visit=True,
        dbs_status=DbsStatus.ENHANCED_BARRED,
        dbs_expires_on=today + timedelta(days=20),
        description="Qualified ESOL tutor (CELTA). Home lessons for people who cannot reach a class.",
    )
    _moved(tutor, OfferStatus.VERIFIED, staff, "DBS enhanced with barred list seen")
    furniture = _offer(
        2,
        category=Category.FURNITURE,
        offerer_name="Priya Natarajan",
        offerer_email="priya.n@example.org",
        postcode="SE12 8PT",
        handover=Handover.COLLECTION,
        capacity=4,
        items=[
            ("bed", 2, ItemCondition.GOOD),
            ("sofa", 1, ItemCondition.AS_NEW),
            ("kitchen_pack", 1, ItemCondition.NEW),
        ],
    )
    television = _offer(
        1,
        category=Category.FURNITURE,
        offerer_name="Gary Holt",
        offerer_email="gary.holt@example.org",
        postcode="SE9 1DH",
        handover=Handover.DELIVERY,
        capacity=1,
        on_waiting_list=True,
        items=[("television", 1, ItemCondition.GOOD)],
    )
    television.events[-1].note = "On the waiting list: not needed now"
    choir = _offer(
        12,
        category=Category.ACTIVITIES,
        offerer_name="Ruth Adebayo",
        organisation="Forest Hill Community Choir",
        offerer_email="choir@foresthill.example",
        postcode="SE23 1AA",
        capacity=6,
        dbs_status=DbsStatus.ENHANCED,
        description="Free places in our Thursday evening choir, and piano lessons for two children.",
    )
    befriending = _offer(
        20,
        category=Category.BEFRIENDING,
        offerer_name="Tom Hughes",
        organisation="Pepys Community Forum",
        offerer_email="tom@pepys.example",
        postcode="SE8 3QE",
        capacity=3,
        languages=["Somali", "Arabic"],
        home_visit=False,
        dbs_status=DbsStatus.ENHANCED,
        dbs_expires_on=today + timedelta(days=600),
        description="Visits to markets, gardens and places of interest; a weekly drop-in.",
    )
    _moved(befriending, OfferStatus.VERIFIED, staff, "DBS enhanced seen")
    tutoring = _offer(
        15,
        category=Category.SCHOOL_SUPPORT,
        offerer_name="Leila Haddad",
        offerer_email="leila.tutor@example.org",
        postcode="SE14 6AF",
        capacity=2,
        cost_pence=2500,
        languages=["Arabic", "French"],
        home_visit=True,
        dbs_status=DbsStatus.ENHANCED_BARRED,
        dbs_expires_on=today + timedelta(days=900),
        description="Paid maths and English tutor for secondary-age children, £25 an hour.",
    )
    _moved(tutoring, OfferStatus.VERIFIED, staff, "Paid tutor: cost entered at £25 an hour")
    withdrawn = _offer(
        50,
        category=Category.CHILDCARE,
        offerer_name="Jo Brennan",
        offerer_email="jo.b@example.org",
        postcode="SE15 4QL",
        capacity=1,
        home_visit=True,
        dbs_status=DbsStatus.APPLIED,
    )
    old = withdrawn.status
    withdrawn.status = OfferStatus.WITHDRAWN
    add_event(
        withdrawn,
        "status_changed",
        actor_label=OFFERER,
        from_status=old,
        to_status=OfferStatus.WITHDRAWN,
        note="Moving away",
    )
    db.session.add_all(
        [diocese, flat, small, chef, grill, tutor, furniture, television, choir, befriending, tutoring, withdrawn]
    )
    db.session.flush()
