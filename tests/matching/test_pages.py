"""The matching pages over HTTP: run now, proposals, accept / reject / pick / fulfil, history, gap report,
the public /needed page fed by it, and who may do what."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from resettle.auth.models import Role
from resettle.families.models import NeedStatus
from resettle.matching.jobs import process_matching_queue
from resettle.matching.models import MatchStatus, Proposal, ProposalStatus, RunTrigger
from resettle.matching.runs import run_matching
from resettle.matching.services import accept_proposal
from resettle.offers.models import OfferStatus
from resettle.taxonomy import Category
from tests.conftest import csrf_token_from, submit_form
from tests.matching.conftest import arrived_family, open_need, verified_offer
from tests.offers.factories import HousingOfferFactory


def _post(client: FlaskClient, url: str, page: str, data: dict[str, Any] | None = None) -> Any:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def test_run_now_then_accept_from_the_family_page(caseworker_client: FlaskClient, database: Any) -> None:
    family = arrived_family(caseworker_client.user)
    need = open_need(family, Category.MEAL)
    offer = verified_offer(Category.MEAL, capacity=1, organisation="Damascus Chef")

    response = _post(caseworker_client, "/matching/run", "/matching/")
    assert response.status_code == 302
    assert process_matching_queue().startswith("run ")  # the scheduler's job picks the queued run up
    progress = caseworker_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 proposals, 0 needs unmet" in progress
    page = caseworker_client.get("/matching/").get_data(as_text=True)
    assert offer.reference in page
    family_page = f"/matching/families/{family.reference}"
    html = caseworker_client.get(family_page).get_data(as_text=True)
    assert "Damascus Chef" in html and "Accept" in html

    [proposal] = database.session.execute(select(Proposal).where(Proposal.status == ProposalStatus.PROPOSED)).scalars()
    response = _post(caseworker_client, f"/matching/proposals/{proposal.id}/accept", family_page)
    assert response.status_code == 302
    assert need.status is NeedStatus.MATCHED and offer.status is OfferStatus.MATCHED
    html = caseworker_client.get(family_page).get_data(as_text=True)
    assert "Matched: Welcome meal with offer" in html and "Book the welcome meal" in html


def test_the_second_acceptance_of_the_last_place_is_refused_plainly(
    caseworker_client: FlaskClient, database: Any
) -> None:
    first, second = open_need(arrived_family(caseworker_client.user)), open_need(arrived_family(caseworker_client.user))
    offer = verified_offer(Category.ESOL, capacity=1)
    run = run_matching(caseworker_client.user, RunTrigger.MANUAL)
    [proposal] = run.proposals
    loser = second if proposal.need == first else first
    # Another caseworker's proposal for the other need, made before the place went.
    stale = Proposal(run=run, need=loser, offer=offer, charge_pence=0, value=1.0)
    database.session.add(stale)
    database.session.flush()
    page = f"/matching/families/{loser.family.reference}"
    assert _post(caseworker_client, f"/matching/proposals/{proposal.id}/accept", page).status_code == 302
    response = _post(caseworker_client, f"/matching/proposals/{stale.id}/accept", page)
    assert response.status_code == 409
    assert f"Offer {offer.reference} is no longer available (it is matched)" in response.get_data(as_text=True)
    assert loser.status is NeedStatus.OPEN and stale.status is ProposalStatus.PROPOSED
    # The error page, and the family page after it, say why and no longer offer to accept the dead proposal.
    for html in (response.get_data(as_text=True), caseworker_client.get(page).get_data(as_text=True)):
        assert f"Offer {offer.reference} is no longer available: it is matched." in html
        assert f"/matching/proposals/{stale.id}/accept" not in html
        assert "Choose another offer by hand" in html


def test_rejecting_asks_for_a_reason(caseworker_client: FlaskClient, database: Any) -> None:
    need = open_need(arrived_family(caseworker_client.user))
    verified_offer(Category.ESOL)
    [proposal] = run_matching(caseworker_client.user, RunTrigger.MANUAL).proposals
    url = f"/matching/proposals/{proposal.id}/reject"
    response = submit_form(caseworker_client, url, {"reason": ""})
    assert response.status_code == 200
    assert "Enter why this offer does not suit the family" in response.get_data(as_text=True)
    assert proposal.status is ProposalStatus.PROPOSED
    response = submit_form(caseworker_client, url, {"reason": "The family moved to Dari lessons"})
    assert response.status_code == 302
    assert proposal.status is ProposalStatus.REJECTED and need.status is NeedStatus.OPEN


def test_picking_by_hand_shows_why_not_and_matches_the_choice(caseworker_client: FlaskClient, database: Any) -> None:
    family = arrived_family(caseworker_client.user)
    need = open_need(family, Category.HOUSING, bedrooms_min=3, rent_max=180_000)
    small = HousingOfferFactory(status=OfferStatus.VERIFIED, bedrooms=2, rent_pence=195_000)
    good = HousingOfferFactory(status=OfferStatus.VERIFIED, bedrooms=3, rent_pence=175_000)
    url = f"/matching/needs/{need.id}/pick"
    html = caseworker_client.get(url).get_data(as_text=True)
    assert "Only 2 bedrooms; this family needs 3" in html
    assert "Rent £1,950 a month is above the £1,800 limit" in html
    assert small.reference in html and good.reference in html
    response = submit_form(caseworker_client, url, {"offer": ""})
    assert "Select an offer" in response.get_data(as_text=True)
    response = submit_form(caseworker_client, url, {"offer": good.reference})
    assert response.status_code == 302
    assert need.status is NeedStatus.MATCHED and good.status is OfferStatus.MATCHED


def test_fulfilling_from_the_family_page(caseworker_client: FlaskClient, database: Any) -> None:
    family = arrived_family(caseworker_client.user)
    need = open_need(family, Category.MEAL)
    offer = verified_offer(Category.MEAL)
    [proposal] = run_matching(caseworker_client.user, RunTrigger.MANUAL).proposals
    match = accept_proposal(proposal, caseworker_client.user)
    page = f"/matching/families/{family.reference}"
    assert _post(caseworker_client, f"/matching/matches/{match.id}/fulfil", page).status_code == 302
    assert match.status is MatchStatus.FULFILLED and need.status is NeedStatus.MET
    assert offer.status is OfferStatus.FULFILLED


def test_cancelling_asks_for_a_reason_and_reopens_the_need(caseworker_client: FlaskClient, database: Any) -> None:
    need = open_need(arrived_family(caseworker_client.user), Category.MEAL)
    verified_offer(Category.MEAL)
    [proposal] = run_matching(caseworker_client.user, RunTrigger.MANUAL).proposals
    match = accept_proposal(proposal, caseworker_client.user)
    url = f"/matching/matches/{match.id}/cancel"
    response = submit_form(caseworker_client, url, {"reason": ""})
    assert "Enter why the match is cancelled" in response.get_data(as_text=True)
    assert match.status is MatchStatus.ACCEPTED
    assert submit_form(caseworker_client, url, {"reason": "The restaurant has closed"}).status_code == 302
    assert match.status is MatchStatus.CANCELLED and need.status is NeedStatus.OPEN


def test_history_gap_report_csv_and_the_public_page(
    caseworker_client: FlaskClient, client: FlaskClient, database: Any
) -> None:
    families = [arrived_family(caseworker_client.user) for _ in range(3)]
    for family in families:
        open_need(family, Category.HOUSING, bedrooms_min=4, rent_max=180_000, follows_bedroom_standard=True)
    HousingOfferFactory(status=OfferStatus.VERIFIED, bedrooms=3, rent_pence=195_000)
    run_matching(caseworker_client.user, RunTrigger.MANUAL)

    history = caseworker_client.get("/matching/runs").get_data(as_text=True)
    # the name as the page writes it (an apostrophe in O'Brien is escaped)
    assert "Best possible" in history and str(escape(caseworker_client.user.name)) in history
    gaps = caseworker_client.get("/matching/gaps").get_data(as_text=True)
    assert "3 housing needs: no offer with 4 or more bedrooms at or under the LHA rate" in gaps
    csv = caseworker_client.get("/matching/gaps.csv")
    assert csv.mimetype == "text/csv"
    assert all(family.reference in csv.get_data(as_text=True) for family in families)
    public = client.get("/needed").get_data(as_text=True)
    assert "Homes with 4 or more bedrooms at or under £1,800 a month" in public
    assert "/offer/housing?bedrooms=4&amp;rent=1800" in public  # offers exactly that
    assert all(family.reference not in public for family in families)


def test_reviewers_may_read_figures_but_not_decide(login_as: Any, database: Any) -> None:
    reviewer = login_as(Role.REVIEWER)
    need = open_need(arrived_family())
    verified_offer(Category.ESOL)
    [proposal] = run_matching(None, RunTrigger.MANUAL).proposals
    assert reviewer.get("/matching/gaps").status_code == 200
    assert reviewer.get("/matching/runs").status_code == 200
    assert reviewer.get(f"/matching/families/{need.family.reference}").status_code == 403
    response = _post(reviewer, f"/matching/proposals/{proposal.id}/accept", "/matching/gaps")
    assert response.status_code == 403
    assert proposal.status is ProposalStatus.PROPOSED and need.status is NeedStatus.OPEN


def test_a_match_whose_offer_was_withdrawn_says_so_and_offers_only_cancelling(
    caseworker_client: FlaskClient, database: Any
) -> None:
    from resettle.offers.services import withdraw_by_offerer

    family = arrived_family(caseworker_client.user)
    open_need(family, Category.MEAL)
    offer = verified_offer(Category.MEAL)
    [proposal] = run_matching(caseworker_client.user, RunTrigger.MANUAL).proposals
    match = accept_proposal(proposal, caseworker_client.user)
    withdraw_by_offerer(offer, "We are moving away")
    page = caseworker_client.get(f"/matching/families/{family.reference}").get_data(as_text=True)
    assert f"The offerer withdrew offer {offer.reference}" in page
    assert f"/matching/matches/{match.id}/cancel" in page
    assert f"/matching/matches/{match.id}/fulfil" not in page


def test_picking_by_hand_with_no_offer_of_the_kind_says_so(caseworker_client: FlaskClient, database: Any) -> None:
    need = open_need(arrived_family(caseworker_client.user), Category.HOUSING, bedrooms_min=3)
    html = caseworker_client.get(f"/matching/needs/{need.id}/pick").get_data(as_text=True)
    assert "There is no verified offer of this kind" in html
    assert "reasons for each offer are below" not in html
