"""The public offer form as JSON and the /needed figures, with no token: the same checks, limits, honeypot,
email and suppression as the pages, an Idempotency-Key that makes a resend safe, and JSON errors only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.extensions import db
from resettle.families.lha import ensure_lha_rates
from resettle.families.models import FamilyStatus, NeedStatus
from resettle.notifications.models import OutboundEmail
from resettle.offers.models import Handover, ItemCondition, Offer, OfferStatus
from resettle.taxonomy import Category
from tests.families.factories import FamilyFactory, NeedFactory
from tests.smtp import SMTPServer

URL = "/api/v1/public/offers"
OFFERER: dict[str, Any] = {
    "offerer_name": "Daniel Osei",
    "offerer_email": "daniel.osei@example.org",
    "offerer_phone": "020 7946 0000",
    "consent": True,
}
HOUSING: dict[str, Any] = {
    "offer_type": "housing",
    "address": "Flat 2, 48 Hither Green Lane",
    "postcode": "se13 6qp",
    "bedrooms": 3,
    "rent_pence": 194467,
    "step_free": True,
    "landlord_type": "private",
    "certificates_held": ["gas_safety", "epc"],
    "available_from": "2026-12-01",
    "available_until": "2028-11-30",
    "description": "Near the station",
    **OFFERER,
}
GOODS: dict[str, Any] = {
    "offer_type": "furniture",
    "items": [
        {"kind": "cot", "quantity": 1, "condition": "as_new"},
        {"kind": "bed", "quantity": 2, "condition": "good"},
    ],
    "handover": "collection",
    "postcode": "SE12 8PT",
    **OFFERER,
}
BEFRIENDING: dict[str, Any] = {
    "offer_type": "befriending",
    "description": "Weekly walks and help finding the library",
    "capacity": 2,
    "home_visit": False,
    "dbs_status": "none",
    "postcode": "SE8 3QE",
    **OFFERER,
}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _offers() -> list[Offer]:
    return list(db.session.execute(select(Offer)).scalars())


def _post(client: FlaskClient, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return client.post(URL, json=body, headers=headers if headers is not None else _key())


@pytest.fixture(autouse=True)
def lha_rates(database: Any) -> None:
    ensure_lha_rates()


def test_a_housing_offer_is_saved_as_from_the_form_and_the_person_is_emailed(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    response = _post(client, HOUSING)
    assert response.status_code == 201, response.get_json()
    [offer] = _offers()
    assert response.get_json() == {
        "reference": offer.reference,
        "status": "submitted",
        "message": "Thank you. We have sent the reference and a private link to the email address given.",
    }
    assert offer.category is Category.HOUSING and offer.status is OfferStatus.SUBMITTED
    assert (offer.bedrooms, offer.rent_pence, offer.step_free, offer.postcode) == (3, 194467, True, "SE13 6QP")
    assert offer.certificates_held == ["gas_safety", "epc"] and offer.consent_at is not None
    assert str(offer.available_from) == "2026-12-01" and str(offer.available_until) == "2028-11-30"
    assert "Set-Cookie" not in response.headers
    [message] = smtp_server.messages_to("daniel.osei@example.org")
    assert offer.reference in message.subject
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "offer_submitted")).scalar_one()
    assert audit.object_id == offer.reference


def test_goods_and_service_offers(client: FlaskClient) -> None:
    assert _post(client, GOODS).status_code == 201
    assert _post(client, BEFRIENDING).status_code == 201
    goods, befriending = sorted(_offers(), key=lambda offer: offer.id)
    assert [(i.item_kind, i.quantity, i.condition) for i in goods.items] == [
        ("cot", 1, ItemCondition.AS_NEW),
        ("bed", 2, ItemCondition.GOOD),
    ]
    assert goods.handover is Handover.COLLECTION and goods.capacity == 3
    assert befriending.category is Category.BEFRIENDING and befriending.home_visit is False


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"offer_type": "housing", **OFFERER, "consent": False},
            {
                "address": ["Enter the address of the home"],
                "consent": ["Confirm that you agree to the council keeping your details"],
            },
        ),
        ({**HOUSING, "bedrooms": 0}, {"bedrooms": None}),
        ({**HOUSING, "rent_pence": 10**12}, {"rent_pence": None}),
        ({**HOUSING, "postcode": "not a postcode"}, {"postcode": None}),
        ({**HOUSING, "available_until": "2026-11-30", "available_from": "2026-12-01"}, {"available_until": None}),
        ({**HOUSING, "offerer_email": "not-an-email"}, {"offerer_email": None}),
        ({**GOODS, "items": [{"kind": "television-set", "quantity": 1, "condition": "good"}]}, {"items": None}),
        ({**GOODS, "items": []}, {"items": ["Select at least one item you are offering"]}),
        ({**BEFRIENDING, "bedrooms": 3}, {"bedrooms": ["Not asked for this type of offer (befriending)"]}),
        ({**BEFRIENDING, "capacity": "two"}, {"capacity": ["Not a valid integer."]}),
        ({**BEFRIENDING, "offer_type": "spaceship"}, {"offer_type": ["Choose an offer type from the list"]}),
        ({**BEFRIENDING, "colour": "blue"}, {"colour": None}),
    ],
)
def test_mistakes_answer_422_with_the_forms_messages_by_field(
    client: FlaskClient, body: dict[str, Any], errors: dict[str, Any]
) -> None:
    response = _post(client, body)
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["code"] == 422 and answer["status"] == "error"
    for field, messages in errors.items():
        assert field in answer["errors"], answer["errors"]
        if messages is not None:
            assert answer["errors"][field] == messages
    assert _offers() == []


def test_the_same_checks_as_the_form_for_the_numbers(client: FlaskClient) -> None:
    """The messages are the form's own (the form checks the API's answers)."""
    answer = _post(client, {**HOUSING, "bedrooms": 99}).get_json()
    page_message = answer["errors"]["bedrooms"][0]
    assert "bedrooms" in page_message.lower()


def test_a_filled_honeypot_is_answered_as_received_but_nothing_is_saved_or_sent(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    response = _post(client, {**BEFRIENDING, "website": "http://spam.example"})
    assert response.status_code == 202
    assert response.get_json()["message"].startswith("Thank you")
    assert _offers() == [] and db.session.execute(select(OutboundEmail)).first() is None
    assert smtp_server.messages == []


def test_the_idempotency_key_makes_a_resend_safe(client: FlaskClient, smtp_server: SMTPServer) -> None:
    headers = _key()
    first = _post(client, BEFRIENDING, headers)
    again = _post(client, BEFRIENDING, headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json()["reference"] == first.get_json()["reference"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(_offers()) == 1 and len(smtp_server.messages_to("daniel.osei@example.org")) == 1
    other = _post(client, {**BEFRIENDING, "capacity": 3}, headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["errors"]
    assert len(_offers()) == 1


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "short"}])
def test_an_idempotency_key_is_needed(client: FlaskClient, headers: dict[str, str]) -> None:
    response = _post(client, BEFRIENDING, headers)
    assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["errors"]
    assert _offers() == []


def test_posts_are_limited_per_address_like_the_form(client: FlaskClient) -> None:
    statuses = [_post(client, {"offer_type": "befriending"}).status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
    assert client.post(URL, json=BEFRIENDING, headers=_key()).get_json()["code"] == 429


def test_a_body_that_is_not_json_is_a_json_error(client: FlaskClient) -> None:
    response = client.post(URL, data="offer_type=housing", headers=_key())
    assert response.status_code in (415, 422) and response.is_json


def test_a_token_is_not_needed_and_a_cookie_is_never_read(app: Flask, admin_client: FlaskClient) -> None:
    response = admin_client.post(URL, json=BEFRIENDING, headers=_key())
    assert response.status_code == 201 and "Set-Cookie" not in response.headers


def test_needed_lists_what_the_page_lists_and_never_fewer_than_three_families(client: FlaskClient) -> None:
    families = [FamilyFactory(name=f"Alawayed {n}", postcode="SE13 6AA") for n in range(3)]
    for family in families:
        NeedFactory(family=family, category=Category.FURNITURE, item="cot")
        NeedFactory(family=family, category=Category.ESOL, language="Tigrinya", status=NeedStatus.MET)
    for _ in range(2):
        NeedFactory(family=FamilyFactory(), category=Category.ESOL, language="Dari")  # only 2 families
    lonely = FamilyFactory(name="Haddad", postcode="SE6 4RU")
    NeedFactory(family=lonely, category=Category.HOUSING, bedrooms_min=5)
    NeedFactory(family=FamilyFactory(status=FamilyStatus.CLOSED), category=Category.FURNITURE, item="cot")

    response = client.get("/api/v1/public/needed")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    answer = response.get_json()
    assert answer == {
        "lines": [{"offer_type": "furniture", "text": "Cot", "families": 5}],
        "minimum_families": 3,
    }
    page = client.get("/needed").get_data(as_text=True)
    assert "Cot" in page and "Dari" not in page and "5-bedroom" not in page
    text = str(answer)
    for secret in ("Alawayed", "Haddad", "SE13", "SE6", "Dari", "Tigrinya"):
        assert secret not in text


def test_needed_with_nothing_to_list(client: FlaskClient) -> None:
    assert client.get("/api/v1/public/needed").get_json() == {"lines": [], "minimum_families": 3}
