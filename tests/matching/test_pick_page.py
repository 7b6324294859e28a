"""Choosing an offer by hand: what each candidate is (distance, places left, cost and stream, language, DBS
status) and why the engine did not propose it, the best 50 first, in a fixed number of statements however many
offers there are (more than the 500 ids an eager load puts in one IN list)."""

from __future__ import annotations

from typing import Any

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import event

from resettle.db import utcnow
from resettle.extensions import db
from resettle.matching.models import RunTrigger
from resettle.matching.picking import PICK_PAGE_SIZE
from resettle.matching.runs import run_matching
from resettle.offers.models import DbsStatus, OfferStatus
from resettle.taxonomy import Category
from tests.matching.conftest import arrived_family, family_stream, open_need, verified_offer
from tests.offers.factories import GoodsOfferFactory, HousingOfferFactory, TutorOfferFactory


def _statements(client: FlaskClient, url: str) -> tuple[int, str]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    bind = db.session.get_bind()
    target = bind.engine if hasattr(bind, "engine") else bind
    event.listen(target, "before_cursor_execute", before)
    try:
        response = client.get(url)
        html = response.get_data(as_text=True)
    finally:
        event.remove(target, "before_cursor_execute", before)
    assert response.status_code == 200
    return len([s for s in seen if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]), html


def test_each_candidate_says_what_it_is_and_why_it_was_not_proposed(
    caseworker_client: FlaskClient, database: Any
) -> None:
    family = arrived_family(caseworker_client.user)
    need = open_need(family, Category.ESOL, language="Arabic")
    proposed = TutorOfferFactory(status=OfferStatus.VERIFIED, dbs_status=DbsStatus.ENHANCED, capacity=3)
    run_matching(caseworker_client.user, RunTrigger.MANUAL)
    later = TutorOfferFactory(
        status=OfferStatus.VERIFIED, verified_at=utcnow(), dbs_status=None, languages=["Arabic", "Dari"]
    )
    wrong = TutorOfferFactory(status=OfferStatus.VERIFIED, languages=["Ukrainian"], dbs_status=DbsStatus.BASIC)

    html = caseworker_client.get(f"/matching/needs/{need.id}/pick").get_data(as_text=True)
    assert "Proposed for this need in the last matching run: decide on it on the family&#39;s page" in html
    assert "Not proposed: checked and verified after the last matching run" in html
    assert "Not offered in Arabic; this need asks for it" in html
    assert "Enhanced check" in html and "Basic check" in html and "Not recorded" in html
    assert "Arabic, Dari" in html and "3 places left" in html and "0.3 km away" in html
    assert "Free (donation)" in html
    assert proposed.reference in html and later.reference in html and wrong.reference in html


def test_paid_candidates_show_their_cost_and_the_stream_that_would_pay(
    caseworker_client: FlaskClient, database: Any
) -> None:
    family_stream(500_000, [Category.HOUSING])
    need = open_need(arrived_family(caseworker_client.user), Category.HOUSING, bedrooms_min=2)
    HousingOfferFactory(status=OfferStatus.VERIFIED, cost_pence=25_000, bedrooms=3)
    html = caseworker_client.get(f"/matching/needs/{need.id}/pick").get_data(as_text=True)
    assert "£250.00 from Core tariff" in html
    assert "Not proposed: matching has not run yet" in html


def test_statements_are_fixed_and_the_best_fifty_come_first(caseworker_client: FlaskClient, database: Any) -> None:
    # Frozen time: seeding 523 offers on a busy machine may take over a minute, and a request after that touches
    # the session's last-seen time, one more statement that has nothing to do with the page.
    with time_machine.travel(utcnow(), tick=False):
        need = open_need(arrived_family(caseworker_client.user), Category.FURNITURE, item="bed")
        GoodsOfferFactory.create_batch(3, status=OfferStatus.VERIFIED, item_lines=[("bed", 1), ("sofa", 1)])
        verified_offer(Category.MEAL)
        url = f"/matching/needs/{need.id}/pick"
        _statements(caseworker_client, url)  # warm what is loaded once per process
        small, _ = _statements(caseworker_client, url)

        GoodsOfferFactory.create_batch(520, status=OfferStatus.VERIFIED, item_lines=[("bed", 1), ("sofa", 1)])
        HousingOfferFactory.create_batch(20, status=OfferStatus.VERIFIED)
        database.session.flush()
        large, html = _statements(caseworker_client, url)
        assert large <= small, f"{small} statements with 3 offers, {large} with 523"
        assert f"Showing the best {PICK_PAGE_SIZE} of 523 offers" in html
        assert html.count('name="offer"') == PICK_PAGE_SIZE
        second, html = _statements(caseworker_client, url + "?page=11")
        assert second <= small and "Showing 501 to 523 of 523 offers" in html


def test_a_line_of_another_category_in_a_goods_offer_is_a_candidate(
    caseworker_client: FlaskClient, database: Any
) -> None:
    need = open_need(arrived_family(caseworker_client.user), Category.HOUSEHOLD, item="bedding")
    offer = GoodsOfferFactory(status=OfferStatus.VERIFIED, item_lines=[("bed", 1), ("bedding", 2)])
    assert offer.category is Category.FURNITURE
    html = caseworker_client.get(f"/matching/needs/{need.id}/pick").get_data(as_text=True)
    assert f"({offer.reference})" in html and "2 places left" in html
