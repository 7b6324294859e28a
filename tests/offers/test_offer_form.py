"""The public offer form: each type's questions and validation, answers kept on mistakes, and what is saved."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.extensions import db
from resettle.families.lha import ensure_lha_rates
from resettle.offers.models import DbsStatus, Handover, ItemCondition, LandlordType, Offer, OfferStatus
from resettle.taxonomy import Category
from tests.conftest import submit_form
from tests.offers.answers import BEFRIENDING, GOODS, HOUSING, MEAL, NO_DATE, OFFERER, TUTORING


def _offers() -> list[Offer]:
    return list(db.session.execute(select(Offer)).scalars())


def _post(client: FlaskClient, offer_type: str, answers: dict[str, Any]) -> tuple[Any, str]:
    response = submit_form(client, f"/offer/{offer_type}", answers)
    return response, response.get_data(as_text=True)


def test_choosing_a_type_leads_to_its_questions(client: FlaskClient) -> None:
    page = client.get("/offer").get_data(as_text=True)
    for label in (
        "A home to rent",
        "English lessons (ESOL) or tutoring",
        "Furniture and household goods",
        "Meals",
        "Befriending",
        "Childcare",
        "Activities and lessons",
        "Something else",
    ):
        assert label in page
    assert 'href="/needed"' in page
    missing = submit_form(client, "/offer", {}).get_data(as_text=True)
    assert "Select what you would like to offer" in missing
    chosen = submit_form(client, "/offer", {"offer_type": "meal"})
    assert chosen.headers["Location"] == "/offer/meal"


@pytest.mark.parametrize("offer_type", ["household", "nonsense", "HOUSING"])
def test_unknown_offer_types_are_not_found(client: FlaskClient, offer_type: str) -> None:
    assert client.get(f"/offer/{offer_type}").status_code == 404


def test_housing_offer_is_saved_with_money_in_pence_and_a_location(client: FlaskClient) -> None:
    response, _ = _post(client, "housing", HOUSING)
    assert response.status_code == 302
    [offer] = _offers()
    assert response.headers["Location"] == f"/offer/sent/{offer.public_id}"
    assert offer.category is Category.HOUSING and offer.status is OfferStatus.SUBMITTED
    assert (offer.bedrooms, offer.rent_pence, offer.step_free) == (3, 194467, True)
    assert offer.postcode == "SE13 6QP" and offer.location == pytest.approx((51.459, -0.011))
    assert offer.landlord_type is LandlordType.PRIVATE and offer.certificates_held == ["gas_safety", "epc"]
    assert (offer.available_from, offer.available_until) == (date(2026, 12, 1), date(2028, 11, 30))
    assert offer.offerer_email == "daniel.osei@example.org" and offer.consent_at is not None
    assert [(e.action, e.actor_label) for e in offer.events] == [("submitted", "The person who made the offer")]
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "offer_submitted")).scalar_one()
    assert audit.object_id == offer.reference and audit.actor_email == "daniel.osei@example.org"
    sent = client.get(response.headers["Location"]).get_data(as_text=True)
    assert offer.reference in sent and "Offer sent" in sent


def test_empty_housing_form_explains_every_missing_answer(client: FlaskClient) -> None:
    response, page = _post(client, "housing", {"available_from": NO_DATE, "available_until": NO_DATE})
    assert response.status_code == 200
    for message in (
        "Enter the address of the home",
        "Enter a postcode",
        "Enter the number of bedrooms",
        "Enter the monthly rent",
        "Select yes if the home has step-free access",
        "Select who is offering the home",
        "Enter the date it is available from",
        "Enter your full name",
        "Enter your email address",
        "Confirm that you agree to the council keeping your details",
    ):
        assert message in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page
    assert 'href="#address"' in page  # the error summary links to the field
    assert _offers() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"postcode": "ZZ1 ABC"}, "Enter a real postcode, like SE6 4RU"),
        ({"postcode": "S" * 11}, "Postcode must be 10 characters or fewer"),
        ({"bedrooms": "three"}, "The number of bedrooms must be a whole number"),
        ({"bedrooms": "0"}, "The number of bedrooms must be between 1 and 12"),
        ({"rent": "about a thousand"}, "The monthly rent must be an amount of money"),
        ({"rent": "20000"}, "The monthly rent must be £10,000 or less"),
        ({"rent": "1450.555"}, "The monthly rent must be an amount of money"),
        ({"available_from": ["31", "2", "2027"]}, "The date it is available from must be a real date"),
        ({"available_from": ["1", "12", "99999999999999999999"]}, "The date it is available from must be a real date"),
        (
            {"available_from": ["99999999999999999999", "12", "2026"]},
            "The date it is available from must be a real date",
        ),
        ({"available_from": ["1", "12", ""]}, "The date it is available from must include a year"),
        ({"available_until": ["1", "11", "2026"]}, "The date it is available until must be after the date it is"),
        ({"offerer_email": "daniel at example"}, "Enter an email address in the correct format"),
        ({"offerer_phone": "call me"}, "Enter a phone number"),
    ],
)
def test_housing_mistakes_come_back_with_the_answers_kept(
    client: FlaskClient, changes: dict[str, Any], message: str
) -> None:
    _, page = _post(client, "housing", {**HOUSING, **changes})
    assert message in page
    assert 'value="Flat 2, 48 Hither Green Lane"' in page
    assert 'value="Daniel Osei"' in page
    assert _offers() == []


def test_an_end_date_in_the_past_is_refused(client: FlaskClient) -> None:
    answers = {**HOUSING, "available_from": ["1", "10", "2026"], "available_until": ["1", "11", "2026"]}
    _, page = _post(client, "housing", answers)
    assert "The date it is available until must be today or in the future" in page
    assert _offers() == []


def test_goods_offer_saves_each_item_line(client: FlaskClient) -> None:
    response, _ = _post(client, "furniture", GOODS)
    assert response.status_code == 302
    [offer] = _offers()
    assert [(i.item_kind, i.quantity, i.condition) for i in offer.items] == [
        ("cot", 1, ItemCondition.AS_NEW),
        ("bed", 2, ItemCondition.GOOD),
    ]
    assert offer.capacity == 3 and offer.handover is Handover.COLLECTION
    assert offer.title == "1 × Cot, 2 × Bed (with mattress)"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({}, "Select at least one item you are offering"),
        ({"items-0-quantity": "2"}, "Select the item"),
        ({"items-0-kind": "bed"}, "Enter how many"),
        ({"items-0-kind": "spaceship", "items-0-quantity": "1", "items-0-condition": "good"}, "Select an item from"),
        ({"items-0-kind": "bed", "items-0-quantity": "60", "items-0-condition": "good"}, "How many must be between 1"),
        ({"items-0-kind": "bed", "items-0-quantity": "1"}, "Select the condition"),
    ],
)
def test_goods_item_lines_are_checked(client: FlaskClient, rows: dict[str, str], message: str) -> None:
    answers = {key: value for key, value in GOODS.items() if not key.startswith("items-")}
    _, page = _post(client, "furniture", {**answers, **rows})
    assert message in page
    assert _offers() == []


def test_tutoring_offer_needs_places_hours_home_visits_and_dbs(client: FlaskClient) -> None:
    _, page = _post(
        client, "esol", {**OFFERER, "postcode": "SE23 3HN", "available_from": NO_DATE, "available_until": NO_DATE}
    )
    for message in (
        "Enter how many learners",
        "Enter the hours a week",
        "Select yes if you could visit the family at home",
        "Select whether you have a DBS check",
    ):
        assert message in page
    _, page = _post(client, "esol", {**TUTORING, "hours_per_week": "41"})
    assert "The hours a week must be between 1 and 40" in page
    response, _ = _post(client, "esol", TUTORING)
    assert response.status_code == 302
    [offer] = _offers()
    assert offer.languages == ["Arabic", "French"] and offer.home_visit is True
    assert (offer.capacity, offer.hours_per_week, offer.dbs_status) == (4, 6, DbsStatus.ENHANCED)


def test_meal_offer_asks_whether_the_food_is_halal(client: FlaskClient) -> None:
    _, page = _post(client, "meal", {**MEAL, "halal": ""})
    assert "Select yes if the food is halal" in page
    response, _ = _post(client, "meal", MEAL)
    assert response.status_code == 302
    [offer] = _offers()
    assert offer.halal is True and offer.capacity == 4 and offer.organisation == "Damascus Chef"


def test_befriending_asks_about_dbs_and_home_visits_but_other_offers_do_not(client: FlaskClient) -> None:
    befriending = client.get("/offer/befriending").get_data(as_text=True)
    assert "Do you have a DBS check?" in befriending and "Could you visit the family at home?" in befriending
    other = client.get("/offer/other").get_data(as_text=True)
    assert "DBS" not in other and "visit the family at home" not in other
    _, page = _post(client, "befriending", {**BEFRIENDING, "description": ""})
    assert "Describe what you are offering" in page
    response, _ = _post(client, "befriending", BEFRIENDING)
    assert response.status_code == 302
    [offer] = _offers()
    assert offer.category is Category.BEFRIENDING and offer.dbs_status is DbsStatus.NONE and offer.home_visit is False


def test_other_offer_ignores_fields_it_does_not_ask(client: FlaskClient) -> None:
    answers = {key: value for key, value in BEFRIENDING.items() if key not in ("home_visit", "dbs_status")}
    response, _ = _post(client, "other", {**answers, "dbs_status": "enhanced", "halal": "yes"})
    assert response.status_code == 302
    [offer] = _offers()
    assert offer.category is Category.OTHER and offer.dbs_status is None and offer.halal is None


def test_the_rent_hint_quotes_the_current_allowance_from_the_rates_table(client: FlaskClient) -> None:
    assert "for example" not in client.get("/offer/housing").get_data(as_text=True).split("Monthly rent")[1][:300]
    ensure_lha_rates()
    page = client.get("/offer/housing").get_data(as_text=True)
    assert "for example £1,944.67 a month for 3 bedrooms in inner South East London" in page


def test_the_whole_list_message_is_shown_beside_the_items_as_well_as_in_the_summary(client: FlaskClient) -> None:
    answers = {key: value for key, value in GOODS.items() if not key.startswith("items-")}
    _, page = _post(client, "furniture", {**answers, "items-0-quantity": "2"})
    assert "Select the item" in page
    assert page.count("Select at least one item you are offering") == 2  # the summary and beside the items
    assert 'id="items" class="govuk-form-group govuk-form-group--error"' in page
