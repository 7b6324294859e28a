"""The matching API with real tokens: accepting a proposal (once, whatever the retries), rejecting with a reason,
choosing another offer by hand, fulfilling and cancelling, queueing a run, and the gap report. The services are
the pages' own; these tests check what the API adds: status codes, the error shape, idempotency."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.extensions import db
from resettle.families.models import NeedStatus
from resettle.matching.models import MatchStatus, ProposalStatus, RunTrigger
from resettle.matching.runs import run_matching
from resettle.offers.models import OfferStatus
from resettle.taxonomy import Category
from tests.api.clients import api_client
from tests.factories import UserFactory
from tests.matching.conftest import arrived_family, open_need, verified_offer

KEY = "accept-proposal-0001"


def _client(app: Flask, role: Role = Role.CASEWORKER) -> FlaskClient:
    """A client with a token; what the test set up so far is saved, as an error response rolls back."""
    client = api_client(app, UserFactory(role=role))
    db.session.commit()
    return client


def _proposal(caseworker: Any) -> Any:
    family = arrived_family(caseworker, latitude=51.4613, longitude=-0.0106)
    need = open_need(family, Category.ESOL, language="Arabic")
    verified_offer(Category.ESOL, languages=["Arabic"], latitude=51.46, longitude=-0.01)
    run = run_matching(caseworker, RunTrigger.MANUAL)
    return next(p for p in run.proposals if p.need_id == need.id)


def test_accepting_a_proposal_makes_one_match_however_often_it_is_sent(
    app: Flask, database: Any, caseworker: Any
) -> None:
    proposal = _proposal(caseworker)
    client = _client(app)
    url = f"/api/v1/matching/proposals/{proposal.id}/accept"

    first = client.post(url, headers={"Idempotency-Key": KEY})
    assert first.status_code == 201, first.get_json()
    match = first.get_json()
    assert (match["status"], match["offer_reference"], match["need"]["id"]) == (
        "accepted",
        proposal.offer.reference,
        proposal.need_id,
    )
    assert match["need"]["family_reference"] == proposal.need.family.reference
    assert "name" not in match["need"]  # families by reference only

    again = client.post(url, headers={"Idempotency-Key": KEY})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == match["id"]

    decided = client.post(url, headers={"Idempotency-Key": "accept-proposal-0002"})
    assert decided.status_code == 409
    assert decided.get_json()["errors"] == {
        "proposal": ["This proposal is already accepted. Reload the page to see the latest."]
    }
    assert client.post(url).status_code == 422  # no Idempotency-Key


def test_a_proposal_whose_offer_went_meanwhile_is_a_conflict(app: Flask, database: Any, caseworker: Any) -> None:
    proposal = _proposal(caseworker)
    proposal.offer.status = OfferStatus.WITHDRAWN
    client = _client(app)
    response = client.post(f"/api/v1/matching/proposals/{proposal.id}/accept", headers={"Idempotency-Key": KEY})
    assert response.status_code == 409
    assert response.get_json()["errors"]["offer"][0].startswith(f"Offer {proposal.offer.reference} is no longer")
    assert proposal.status is ProposalStatus.PROPOSED


def test_rejecting_a_proposal_needs_a_reason(app: Flask, database: Any, caseworker: Any) -> None:
    proposal = _proposal(caseworker)
    client = _client(app)
    url = f"/api/v1/matching/proposals/{proposal.id}/reject"
    assert client.post(url, json={}).get_json()["errors"] == {"reason": ["Missing data for required field."]}
    blank = client.post(url, json={"reason": "   "})
    assert blank.status_code == 422
    assert blank.get_json()["errors"] == {"reason": ["Enter why this offer does not suit the family"]}
    done = client.post(url, json={"reason": "The family moved to another borough"})
    assert done.status_code == 200 and done.get_json()["status"] == "rejected"
    assert client.post(url, json={"reason": "Again"}).status_code == 409


def test_listing_one_familys_proposals_is_audited(app: Flask, database: Any, caseworker: Any) -> None:
    proposal = _proposal(caseworker)
    reference = proposal.need.family.reference
    response = _client(app).get(f"/api/v1/matching/proposals?family={reference}")
    assert [p["id"] for p in response.get_json()["items"]] == [proposal.id]
    viewed = database.session.execute(
        select(AuditEvent).where(AuditEvent.action == "family_viewed", AuditEvent.object_id == reference)
    ).scalar_one()
    assert "API" in viewed.summary


def test_choosing_an_offer_by_hand_takes_only_a_compatible_one(app: Flask, database: Any, caseworker: Any) -> None:
    family = arrived_family(caseworker, latitude=51.4613, longitude=-0.0106)
    need = open_need(family, Category.ESOL, language="Arabic", max_distance_km=5.0)
    near = verified_offer(Category.ESOL, languages=["Arabic"], latitude=51.46, longitude=-0.01)
    verified_offer(Category.ESOL, languages=["Dari"], latitude=51.5350, longitude=-0.0106)
    client = _client(app)

    candidates = client.get(f"/api/v1/matching/needs/{need.id}/candidates").get_json()
    assert [(c["offer_reference"], c["is_compatible"]) for c in candidates][0] == (near.reference, True)
    unsuitable = next(c for c in candidates if not c["is_compatible"])
    assert unsuitable["reasons"]

    url = f"/api/v1/matching/needs/{need.id}/pick"
    refused = client.post(url, json={"offer": unsuitable["offer"]}, headers={"Idempotency-Key": KEY})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"offer": ["Select one of the suitable offers"]}

    picked = client.post(url, json={"offer": candidates[0]["offer"]}, headers={"Idempotency-Key": KEY + "b"})
    assert picked.status_code == 201 and picked.get_json()["offer_reference"] == near.reference
    assert need.status is NeedStatus.MATCHED


def test_a_match_is_fulfilled_or_cancelled_once(app: Flask, database: Any, caseworker: Any) -> None:
    proposal = _proposal(caseworker)
    client = _client(app)
    match_id = client.post(
        f"/api/v1/matching/proposals/{proposal.id}/accept", headers={"Idempotency-Key": KEY}
    ).get_json()["id"]
    cancel = f"/api/v1/matching/matches/{match_id}/cancel"
    assert client.post(cancel, json={"reason": ""}).status_code == 422
    cancelled = client.post(cancel, json={"reason": "The family declined"})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == MatchStatus.CANCELLED.value
    assert proposal.need.status is NeedStatus.OPEN
    fulfil = client.post(f"/api/v1/matching/matches/{match_id}/fulfil")
    assert fulfil.status_code == 409
    assert fulfil.get_json()["errors"] == {"match": ["This match is already cancelled"]}


def test_run_matching_now_queues_one_run_at_a_time(app: Flask, database: Any) -> None:
    client = _client(app)
    queued = client.post("/api/v1/matching/runs")
    assert queued.status_code == 202 and queued.get_json()["phase"] == "queued"
    public_id = queued.get_json()["public_id"]
    assert client.get(f"/api/v1/matching/run-requests/{public_id}").get_json()["phase"] == "queued"
    busy = client.post("/api/v1/matching/runs")
    assert busy.status_code == 409
    assert public_id in busy.get_json()["errors"]["run"][0]


def test_reviewers_read_runs_and_gaps_but_decide_nothing(app: Flask, database: Any, caseworker: Any) -> None:
    proposal = _proposal(caseworker)
    reviewer = _client(app, Role.REVIEWER)
    runs = reviewer.get("/api/v1/matching/runs?limit=1").get_json()
    assert [run["id"] for run in runs["items"]] == [proposal.run_id] and runs["next_cursor"] is None
    assert reviewer.get("/api/v1/matching/gaps").status_code == 200
    assert reviewer.get(f"/api/v1/matching/proposals/{proposal.id}").status_code == 403
    accept = reviewer.post(f"/api/v1/matching/proposals/{proposal.id}/accept", headers={"Idempotency-Key": KEY})
    assert accept.status_code == 403
