"""The service functions record events for partners in the same transaction as their change, and no payload
carries a family's or an offerer's personal data: references and API links only."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.auth.models import Role
from resettle.families.lha import ensure_lha_rates
from resettle.families.models import Relationship
from resettle.funding.receipts import add_receipt
from resettle.funding.seed import load_funding_configuration
from resettle.funding.spend_models import SpendLine
from resettle.funding.spend_services import SpendFields, approve_spend_line, create_spend_line, submit_spend_line
from resettle.matching.models import RunTrigger
from resettle.matching.runs import run_matching
from resettle.matching.services import accept_proposal, fulfil_match
from resettle.offers.models import Offer, OfferStatus
from resettle.taxonomy import Category
from resettle.webhooks.models import SUBSCRIBABLE, EventKind, WebhookDelivery, WebhookEvent
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.families.factories import MemberFactory
from tests.funding.conftest import PDF, make_family
from tests.matching.conftest import arrived_family, open_need, verified_offer
from tests.offers.answers import MEAL
from tests.offers.factories import GoodsOfferFactory
from tests.webhooks.factories import WebhookEndpointFactory

FAMILY_NAME = "Rania Al-Hassan"
ALLOWED_DATA_KEYS = {"offer", "proposal", "match", "spend_line", "endpoint", "links"}


@pytest.fixture
def every_event(database: Any) -> Any:
    return WebhookEndpointFactory(events=[kind.value for kind in SUBSCRIBABLE])


def _events(database: Any, kind: EventKind | None = None) -> list[WebhookEvent]:
    statement = select(WebhookEvent).order_by(WebhookEvent.id)
    if kind is not None:
        statement = statement.where(WebhookEvent.kind == kind.value)
    return list(database.session.execute(statement).scalars())


def _assert_no_personal_data(events: list[WebhookEvent], *personal: str) -> None:
    for event in events:
        payload = event.payload()
        assert set(payload) == {"event", "id", "occurred_at", "data"}
        assert set(payload["data"]) <= ALLOWED_DATA_KEYS and set(payload["data"]["links"]) == {"self"}
        assert payload["data"]["links"]["self"].startswith("/api/v1/")
        text = json.dumps(payload)
        for value in personal:
            assert value.lower() not in text.lower(), f"{value!r} sent to partners in {event.kind}"


def test_the_public_form_records_offer_submitted(client: FlaskClient, database: Any, every_event: Any) -> None:
    ensure_lha_rates()
    assert submit_form(client, "/offer/meal", MEAL).status_code == 302
    offer = database.session.execute(select(Offer)).scalar_one()
    [event] = _events(database)
    assert event.kind == "offer.submitted"
    assert event.data == {"offer": offer.reference, "links": {"self": f"/api/v1/offers/{offer.reference}"}}
    delivery = database.session.execute(select(WebhookDelivery)).scalar_one()
    assert delivery.endpoint == every_event and delivery.status == "pending"
    _assert_no_personal_data(
        [event], offer.offerer_name, offer.offerer_email, offer.offerer_phone or "", offer.public_id
    )


def test_verifying_records_offer_verified(caseworker_client: FlaskClient, database: Any, every_event: Any) -> None:
    offer = GoodsOfferFactory(offerer_name="Gary Blake", offerer_email="gary@example.org")
    assert submit_form(caseworker_client, f"/offers/{offer.id}/verify", {"note": "Seen photos"}).status_code == 302
    [event] = _events(database, EventKind.OFFER_VERIFIED)
    assert event.data["offer"] == offer.reference
    _assert_no_personal_data([event], "Gary Blake", "gary@example.org", offer.public_id)


def test_a_refused_change_records_no_event(caseworker_client: FlaskClient, database: Any, every_event: Any) -> None:
    offer = GoodsOfferFactory(status=OfferStatus.REJECTED)
    caseworker_client.post(f"/offers/{offer.id}/verify", data={"note": "x"})
    assert _events(database) == []


def test_matching_records_proposals_then_accepted_and_fulfilled_matches(database: Any, every_event: Any) -> None:
    caseworker = UserFactory(role=Role.CASEWORKER)
    family = arrived_family(caseworker)
    MemberFactory(family=family, full_name=FAMILY_NAME, relationship_to_applicant=Relationship.APPLICANT)
    need = open_need(family, Category.ESOL)
    verified_offer(Category.ESOL, capacity=2)

    run = run_matching(caseworker, RunTrigger.MANUAL)
    [proposal] = [p for p in run.proposals if p.need_id == need.id]
    [made] = _events(database, EventKind.PROPOSAL_MADE)
    assert made.data == {"proposal": str(proposal.id), "links": {"self": f"/api/v1/matching/proposals/{proposal.id}"}}
    # The same pairing proposed again by the next run is not news.
    run_matching(caseworker, RunTrigger.MANUAL)
    assert len(_events(database, EventKind.PROPOSAL_MADE)) == 1

    again = next(p for p in run_matching(caseworker, RunTrigger.MANUAL).proposals if p.need_id == need.id)
    match = accept_proposal(again, caseworker)
    [accepted] = _events(database, EventKind.MATCH_ACCEPTED)
    assert accepted.data == {"match": str(match.id), "links": {"self": f"/api/v1/matching/matches/{match.id}"}}
    fulfil_match(match, caseworker)
    [fulfilled] = _events(database, EventKind.MATCH_FULFILLED)
    assert fulfilled.data["match"] == str(match.id)
    _assert_no_personal_data(_events(database), FAMILY_NAME, family.reference, caseworker.name, caseworker.email)


def test_approving_spend_records_spend_approved(
    database: Any, every_event: Any, time_machine: Any, app: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    time_machine.move_to(datetime(2017, 7, 1, 12, tzinfo=UTC), tick=False)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    load_funding_configuration()
    family = make_family()
    caseworker, reviewer = UserFactory(role=Role.CASEWORKER), UserFactory(role=Role.REVIEWER)
    from resettle.funding.models import ExpenseCategory, FundingStream

    stream = database.session.execute(select(FundingStream).where(FundingStream.code == "vprs-core")).scalar_one()
    fridge = database.session.execute(select(ExpenseCategory).where(ExpenseCategory.code == "fridge")).scalar_one()
    line = create_spend_line(
        SpendFields(
            family=family,
            stream=stream,
            expense_category=fridge,
            item_description="Fridge for the family",
            amount_pence=32_900,
            payee="Catford Electricals",
            spend_date=date(2017, 6, 20),
        ),
        caseworker,
    )
    add_receipt(line, io.BytesIO(PDF), "receipt.pdf", caseworker)
    submit_spend_line(line, caseworker)
    assert _events(database) == []  # submitting is not an event partners hear about
    approve_spend_line(line, reviewer)
    [event] = _events(database)
    assert isinstance(line, SpendLine) and event.kind == "spend.approved"
    link = f"/api/v1/funding/spend-lines/{line.public_id}"
    assert event.data == {"spend_line": line.public_id, "links": {"self": link}}
    _assert_no_personal_data([event], family.reference, "Catford Electricals", "Member 0")
