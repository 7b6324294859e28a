"""The offers API with real tokens: the review queue with the page's filters, reading an offer (audited, contact
details for those who arrange offers only), and the review actions with the pages' rules. A stale edit gets 412,
an action the offer's status no longer allows 409, a broken rule 422 on its field."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.api.models import TokenScope
from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.extensions import db
from resettle.offers.models import OfferStatus
from tests.api.clients import api_client
from tests.factories import UserFactory
from tests.offers.factories import GoodsOfferFactory, HousingOfferFactory, OfferFactory, TutorOfferFactory

GOOD_HOME = {
    "has_gas_supply": True,
    "gas_safety_checked_on": "2026-10-03",
    "electrical_report_on": "2023-06-01",
    "epc_rating": "C",
    "smoke_alarms_every_storey": True,
    "co_alarm_where_needed": True,
    "inspected_on": "2026-11-18",
}


def _client(app: Flask, role: Role = Role.CASEWORKER, scope: TokenScope = TokenScope.READ_WRITE) -> FlaskClient:
    """A client with a token; what the test set up so far is saved, as an error response rolls back."""
    client = api_client(app, UserFactory(role=role), scope)
    db.session.commit()
    return client


def test_the_queue_pages_through_submitted_offers_oldest_first(app: Flask, database: Any) -> None:
    first = HousingOfferFactory(reference="OF-HOME01")
    second = GoodsOfferFactory(reference="OF-GOODS1", on_waiting_list=True)
    OfferFactory(reference="OF-DONE01", status=OfferStatus.FULFILLED)
    client = _client(app)
    page = client.get("/api/v1/offers?limit=1").get_json()
    assert [offer["reference"] for offer in page["items"]] == [first.reference]
    rest = client.get(f"/api/v1/offers?limit=1&cursor={page['next_cursor']}").get_json()
    assert [offer["reference"] for offer in rest["items"]] == [second.reference] and rest["next_cursor"] is None
    waiting = client.get("/api/v1/offers?pool=waiting").get_json()["items"]
    assert [offer["reference"] for offer in waiting] == ["OF-GOODS1"]
    everything = client.get("/api/v1/offers?status=any&limit=100").get_json()["items"]
    assert {offer["reference"] for offer in everything} == {"OF-HOME01", "OF-GOODS1", "OF-DONE01"}
    assert client.get("/api/v1/offers?status=lost").status_code == 422
    misspelt = client.get("/api/v1/offers?stauts=any")
    assert misspelt.status_code == 422 and misspelt.get_json()["errors"] == {"stauts": ["Unknown field."]}


def test_reading_an_offer_is_audited_and_contact_details_are_for_those_who_arrange_offers(
    app: Flask, database: Any
) -> None:
    offer = OfferFactory(offerer_email="helen@example.org")
    caseworker, reviewer = _client(app), _client(app, Role.REVIEWER)
    seen = caseworker.get(f"/api/v1/offers/{offer.reference}")
    assert seen.get_json()["offerer_email"] == "helen@example.org"
    assert seen.headers["ETag"] == f'"{offer.version}"'
    assert "offerer_email" not in reviewer.get(f"/api/v1/offers/{offer.reference}").get_json()
    views = database.session.execute(
        select(AuditEvent).where(AuditEvent.action == "offer_viewed", AuditEvent.object_id == offer.reference)
    ).scalars()
    assert len(list(views)) == 2
    assert reviewer.post(f"/api/v1/offers/{offer.reference}/pool").status_code == 403
    assert caseworker.get("/api/v1/offers/OF-NOPE00").status_code == 404


def test_a_home_is_verified_only_when_every_check_is_met(app: Flask, database: Any) -> None:
    home = HousingOfferFactory()
    client = _client(app)
    url = f"/api/v1/offers/{home.reference}/verify"
    missing = client.post(url, json={"has_gas_supply": True})
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {
        "gas_safety_checked_on",
        "electrical_report_on",
        "inspected_on",
        "epc_rating",
        "smoke_alarms_every_storey",
        "co_alarm_where_needed",
    }
    poor = client.post(url, json={**GOOD_HOME, "epc_rating": "F"})
    assert poor.get_json()["errors"] == {"epc_rating": ["EPC rating must be E or better"]}
    verified = client.post(url, json=GOOD_HOME)
    assert verified.status_code == 200 and verified.get_json()["status"] == "verified"
    assert verified.get_json()["epc_rating"] == "C"
    again = client.post(url, json=GOOD_HOME)
    assert again.status_code == 409
    assert again.get_json()["errors"] == {"status": ["Only a submitted offer can be verified"]}


def test_a_tutor_needs_an_enhanced_dbs_check(app: Flask, database: Any) -> None:
    tutor = TutorOfferFactory(dbs_status=None)
    client = _client(app)
    url = f"/api/v1/offers/{tutor.reference}/verify"
    basic = client.post(url, json={"dbs_status": "basic", "dbs_expires_on": "2028-01-01"})
    assert basic.get_json()["errors"] == {"dbs_status": ["DBS check must be an enhanced check"]}
    done = client.post(url, json={"dbs_status": "enhanced", "dbs_expires_on": "2028-01-01"})
    assert done.status_code == 200 and done.get_json()["dbs_status"] == "enhanced"


def test_rejecting_and_changing_status_follow_the_lifecycle(app: Flask, database: Any) -> None:
    offer = OfferFactory()
    client = _client(app)
    base = f"/api/v1/offers/{offer.reference}"
    assert client.post(f"{base}/reject", json={"reason": " "}).get_json()["errors"] == {
        "reason": ["Enter the reason for rejecting the offer"]
    }
    rejected = client.post(f"{base}/reject", json={"reason": "We cannot collect from outside London"})
    assert rejected.status_code == 200 and rejected.get_json()["rejection_reason"].startswith("We cannot")
    after = client.post(f"{base}/status", json={"status": "verified"})
    assert after.status_code == 409
    assert after.get_json()["errors"] == {"status": ["An offer that is rejected cannot become verified"]}
    assert client.post(f"{base}/status", json={"status": "rejected"}).status_code == 422  # not a manual status


def test_an_edit_needs_the_current_etag_and_only_the_offers_own_fields(app: Flask, database: Any) -> None:
    home = HousingOfferFactory()
    client = _client(app)
    url = f"/api/v1/offers/{home.reference}"
    etag = client.get(url).headers["ETag"]
    assert client.patch(url, json={"rent_pence": 180_000}).status_code == 422  # no If-Match
    wrong_field = client.patch(url, json={"halal": True}, headers={"If-Match": etag})
    assert wrong_field.get_json()["errors"] == {"halal": ["This offer's type has no such field to change"]}
    postcode = client.patch(url, json={"postcode": "NOT A CODE"}, headers={"If-Match": etag})
    assert postcode.get_json()["errors"] == {"postcode": ["Enter a real postcode, like SE6 4RU"]}

    saved = client.patch(url, json={"rent_pence": 180_000, "bedrooms": 2}, headers={"If-Match": etag})
    assert saved.status_code == 200, saved.get_json()
    assert (saved.get_json()["rent_pence"], saved.get_json()["bedrooms"]) == (180_000, 2)
    assert saved.get_json()["address"] == "12 Example Road"  # not sent: unchanged
    stale = client.patch(url, json={"rent_pence": 1}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["current_version"] == saved.get_json()["version"]
    assert stale.headers["ETag"] == saved.headers["ETag"]


def test_a_stale_if_match_on_an_action_is_refused(app: Flask, database: Any) -> None:
    offer = GoodsOfferFactory(on_waiting_list=True)
    client = _client(app)
    response = client.post(f"/api/v1/offers/{offer.reference}/pool", headers={"If-Match": '"99"'})
    assert response.status_code == 412 and offer.on_waiting_list
    moved = client.post(f"/api/v1/offers/{offer.reference}/pool", headers={"If-Match": f'"{offer.version}"'})
    assert moved.status_code == 200 and moved.get_json()["on_waiting_list"] is False


def test_a_read_only_token_changes_nothing(app: Flask, database: Any) -> None:
    offer = OfferFactory()
    client = _client(app, scope=TokenScope.READ)
    assert client.get(f"/api/v1/offers/{offer.reference}").status_code == 200
    assert client.post(f"/api/v1/offers/{offer.reference}/reject", json={"reason": "No"}).status_code == 403
    assert offer.status is OfferStatus.SUBMITTED
