"""Committed money on the pages: accepting a paid proposal shows its committed spend line on the family's
matching page, the spend list, the line's own page and the family's budgets; reviewers do not get it in their
queue; once delivered the caseworker turns it into a draft to claim."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.auth.models import Role
from resettle.funding.models import Eligibility
from resettle.funding.spend_models import SpendLine, SpendStatus
from resettle.matching.models import Proposal, RunTrigger
from resettle.matching.runs import run_matching
from resettle.taxonomy import Category
from tests.conftest import csrf_token_from, submit_form
from tests.funding.factories import EligibilityFactory, ExpenseCategoryFactory
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer


def _post(client: FlaskClient, url: str, page: str) -> Any:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def _accept_a_paid_tutor(client: FlaskClient, database: Any) -> tuple[Any, Any, SpendLine]:
    stream = family_stream(40_000, [Category.ESOL])
    course = ExpenseCategoryFactory(code="esol_course", label="ESOL course or classes", category=Category.ESOL)
    EligibilityFactory(scheme=stream.scheme, expense_category=course, eligibility=Eligibility.ALLOWED)
    family = arrived_family(client.user)  # type: ignore[attr-defined]
    open_need(family)
    tutor = verified_offer(Category.ESOL, capacity=1, cost_pence=25_000, organisation="Lewisham Tutors")
    run_matching(client.user, RunTrigger.MANUAL)  # type: ignore[attr-defined]
    [proposal] = database.session.execute(select(Proposal)).scalars()
    page = f"/matching/families/{family.reference}"
    assert _post(client, f"/matching/proposals/{proposal.id}/accept", page).status_code == 302
    [line] = database.session.execute(select(SpendLine)).scalars()
    return family, tutor, line


def test_the_match_links_to_its_committed_spend_line(caseworker_client: FlaskClient, database: Any) -> None:
    family, tutor, line = _accept_a_paid_tutor(caseworker_client, database)
    assert line.status is SpendStatus.COMMITTED

    matching_page = caseworker_client.get(f"/matching/families/{family.reference}").get_data(as_text=True)
    assert f'href="/funding/spend/{line.public_id}"' in matching_page and f"Spend {line.reference}" in matching_page
    assert "Committed" in matching_page

    html = caseworker_client.get(f"/funding/spend/{line.public_id}").get_data(as_text=True)
    assert "govuk-tag--turquoise" in html and f"Spend {line.reference}" in html
    assert f"set aside for an accepted match with offer {tutor.reference}" in html
    assert "Delivered: record it as spend" in html and "Submit for review" not in html
    assert "Change this spend" not in html and "Upload a receipt" not in html
    assert "£250.00 committed" in html

    listed = caseworker_client.get("/funding/spend?status=committed").get_data(as_text=True)
    assert line.reference in listed and f"for the match with offer {tutor.reference}" in listed

    budgets = caseworker_client.get(f"/funding/families/{family.reference}/budgets").get_data(as_text=True)
    assert line.reference in budgets and "Committed lines are money set aside for accepted paid matches" in budgets
    assert "£250.00" in budgets and "£150.00" in budgets  # committed, and what remains of £400


def test_delivered_turns_the_committed_line_into_a_draft(caseworker_client: FlaskClient, database: Any) -> None:
    _, _, line = _accept_a_paid_tutor(caseworker_client, database)
    page = f"/funding/spend/{line.public_id}"
    response = _post(caseworker_client, f"{page}/delivered", page)
    assert response.status_code == 302 and response.headers["Location"] == page
    assert line.status is SpendStatus.DRAFT
    html = caseworker_client.get(page).get_data(as_text=True)
    assert f"{line.reference} is now a draft" in html
    assert "Submit for review" in html and "Change this spend" in html
    assert "Its money stays committed until it is approved" in html
    again = _post(caseworker_client, f"{page}/delivered", page)
    assert again.status_code == 302 and line.status is SpendStatus.DRAFT
    assert "is draft, not committed" in caseworker_client.get(page).get_data(as_text=True)


def test_reviewers_never_get_committed_lines_in_their_queue(
    caseworker_client: FlaskClient, login_as: Any, database: Any
) -> None:
    family, _, line = _accept_a_paid_tutor(caseworker_client, database)
    reviewer = login_as(Role.REVIEWER)
    for url in ("/funding/review", f"/funding/review?status=&family={family.reference}"):
        html = reviewer.get(url).get_data(as_text=True)
        assert line.reference not in html, url
    assert 'value="committed"' not in reviewer.get("/funding/review").get_data(as_text=True)
    detail = reviewer.get(f"/funding/spend/{line.public_id}").get_data(as_text=True)
    assert "Approve" not in detail and "Delivered: record it as spend" not in detail

    line.status = SpendStatus.SUBMITTED  # once the caseworker sends it, it is in the queue like any other
    html = reviewer.get("/funding/review").get_data(as_text=True)
    assert line.reference in html


def test_a_match_whose_delivery_is_recorded_cannot_be_cancelled(caseworker_client: FlaskClient, database: Any) -> None:
    _, _, line = _accept_a_paid_tutor(caseworker_client, database)
    line.status = SpendStatus.DRAFT
    response = submit_form(
        caseworker_client, f"/matching/matches/{line.match.id}/cancel", {"reason": "The tutor has moved away"}
    )
    assert (
        f"Spend {line.reference} for this match is draft, so the match can no longer be cancelled"
        in response.get_data(as_text=True)
    )
    assert line.match.status.value == "accepted"


def test_cancelling_a_paid_match_removes_its_committed_line(caseworker_client: FlaskClient, database: Any) -> None:
    family, _, line = _accept_a_paid_tutor(caseworker_client, database)
    match = line.match
    assert (
        submit_form(
            caseworker_client, f"/matching/matches/{match.id}/cancel", {"reason": "The tutor has moved away"}
        ).status_code
        == 302
    )
    assert database.session.execute(select(SpendLine)).first() is None
    budgets = caseworker_client.get(f"/funding/families/{family.reference}/budgets").get_data(as_text=True)
    assert "No spend recorded for this family yet." in budgets
