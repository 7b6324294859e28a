"""Staff review: the queue, verification checklists, rejection by email, duplicates, status changes, edits."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.extensions import db
from resettle.offers.models import DbsStatus, OfferStatus
from resettle.taxonomy import Category
from tests.conftest import csrf_token_from, submit_form
from tests.offers.factories import GoodsOfferFactory, HousingOfferFactory, OfferFactory, TutorOfferFactory
from tests.smtp import SMTPServer

GOOD_HOME = {
    "has_gas_supply": "yes",
    "gas_safety_checked_on": ["3", "10", "2026"],
    "electrical_report_on": ["1", "6", "2023"],
    "epc_rating": "C",
    "smoke_alarms_every_storey": "y",
    "co_alarm_where_needed": "y",
    "inspected_on": ["18", "11", "2026"],
    "note": "",
}


def test_the_queue_shows_submitted_offers_oldest_first_with_filters(caseworker_client: FlaskClient) -> None:
    HousingOfferFactory(reference="OF-HOME01", offerer_name="Helen Park")
    GoodsOfferFactory(reference="OF-GOODS1", offerer_name="Bola Adeyemi", on_waiting_list=True)
    OfferFactory(reference="OF-DONE01", status=OfferStatus.FULFILLED)
    page = caseworker_client.get("/offers/").get_data(as_text=True)
    assert "OF-HOME01" in page and "OF-GOODS1" in page and "OF-DONE01" not in page
    assert page.index("OF-HOME01") < page.index("OF-GOODS1")
    assert "Waiting list" in page
    waiting = caseworker_client.get("/offers/?status=submitted&pool=waiting").get_data(as_text=True)
    assert "OF-GOODS1" in waiting and "OF-HOME01" not in waiting
    done = caseworker_client.get("/offers/?status=fulfilled").get_data(as_text=True)
    assert "OF-DONE01" in done and "OF-HOME01" not in done
    search = caseworker_client.get("/offers/?status=any&search=helen").get_data(as_text=True)
    assert "OF-HOME01" in search and "OF-GOODS1" not in search


def test_staff_download_the_queue_as_csv(reviewer_client: FlaskClient) -> None:
    HousingOfferFactory(reference="OF-HOME01", offerer_name="=HYPERLINK(1)")
    response = reviewer_client.get("/offers/export.csv?status=submitted")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0].startswith("reference,type,status")
    assert "OF-HOME01,housing,submitted" in text and "'=HYPERLINK(1)" in text


def test_viewing_an_offer_is_audited_and_a_reviewer_sees_no_actions(reviewer_client: FlaskClient) -> None:
    offer = HousingOfferFactory()
    page = reviewer_client.get(f"/offers/{offer.id}").get_data(as_text=True)
    # Names are HTML-escaped on the page (a generated name may be "O'Donnell").
    assert str(escape(offer.offerer_name)) in page and "Verify" not in page and "Reject" not in page
    assert offer.offerer_email not in page  # reviewers see names and organisations only
    entry = db.session.execute(select(AuditEvent).where(AuditEvent.action == "offer_viewed")).scalar_one()
    assert entry.object_id == offer.reference and entry.actor_id == reviewer_client.user.id


def test_a_home_is_verified_only_when_every_safety_check_is_met(caseworker_client: FlaskClient) -> None:
    offer = HousingOfferFactory()
    url = f"/offers/{offer.id}/verify"
    failing = {
        **GOOD_HOME,
        "gas_safety_checked_on": ["1", "10", "2025"],
        "electrical_report_on": ["1", "6", "2021"],
        "epc_rating": "F",
        "smoke_alarms_every_storey": "",
        "inspected_on": ["1", "1", "2027"],
    }
    page = submit_form(caseworker_client, url, failing).get_data(as_text=True)
    for message in (
        "Gas safety check must be from the last 12 months",
        "Electrical report must be from the last 5",
        "EPC rating must be E or better",
        "There must be a working smoke alarm on every storey",
        "Date of the inspection visit must be today or in the past",
    ):
        assert message in page
    assert offer.status is OfferStatus.SUBMITTED
    response = submit_form(caseworker_client, url, GOOD_HOME)
    assert response.status_code == 302
    assert offer.status is OfferStatus.VERIFIED and offer.epc_rating == "C"
    assert offer.inspected_on == date(2026, 11, 18) and offer.verified_by_id == caseworker_client.user.id
    event = offer.events[-1]
    assert (event.from_status, event.to_status, event.actor_id) == (
        OfferStatus.SUBMITTED,
        OfferStatus.VERIFIED,
        caseworker_client.user.id,
    )
    assert event.actor_label == caseworker_client.user.name
    assert "Home checks" in caseworker_client.get(f"/offers/{offer.id}").get_data(as_text=True)


def test_a_home_without_gas_needs_no_gas_certificate(caseworker_client: FlaskClient) -> None:
    offer = HousingOfferFactory()
    answers = {**GOOD_HOME, "has_gas_supply": "no", "gas_safety_checked_on": ["", "", ""]}
    assert submit_form(caseworker_client, f"/offers/{offer.id}/verify", answers).status_code == 302
    assert offer.status is OfferStatus.VERIFIED and offer.gas_safety_checked_on is None


@pytest.mark.parametrize(
    ("factory", "dbs", "message"),
    [
        (TutorOfferFactory, "basic", "DBS check must be an enhanced check"),
        (TutorOfferFactory, "", "Select the DBS check seen"),
        (
            lambda: OfferFactory(category=Category.CHILDCARE),
            "enhanced",
            "DBS check must be enhanced with the barred list for work with children",
        ),
    ],
)
def test_people_working_with_families_need_the_right_dbs_check(
    caseworker_client: FlaskClient, factory: Any, dbs: str, message: str
) -> None:
    offer = factory()
    answers = {"dbs_status": dbs, "dbs_expires_on": ["1", "1", "2029"], "note": ""}
    page = submit_form(caseworker_client, f"/offers/{offer.id}/verify", answers).get_data(as_text=True)
    assert message in page
    assert offer.status is OfferStatus.SUBMITTED


def test_a_dbs_check_needs_a_future_renewal_date(caseworker_client: FlaskClient) -> None:
    offer = TutorOfferFactory()
    url = f"/offers/{offer.id}/verify"
    page = submit_form(caseworker_client, url, {"dbs_status": "enhanced", "dbs_expires_on": ["1", "1", "2026"]})
    assert "DBS renewal date must be in the future" in page.get_data(as_text=True)
    assert (
        submit_form(
            caseworker_client, url, {"dbs_status": "enhanced", "dbs_expires_on": ["1", "1", "2029"]}
        ).status_code
        == 302
    )
    assert offer.status is OfferStatus.VERIFIED and offer.dbs_status is DbsStatus.ENHANCED
    assert offer.dbs_expires_on == date(2029, 1, 1)


def test_goods_need_no_checks_to_be_verified(caseworker_client: FlaskClient) -> None:
    offer = GoodsOfferFactory(on_waiting_list=True)
    page = caseworker_client.get(f"/offers/{offer.id}/verify").get_data(as_text=True)
    assert "DBS" not in page and "gas" not in page
    assert submit_form(caseworker_client, f"/offers/{offer.id}/verify", {"note": "Seen photos"}).status_code == 302
    assert offer.status is OfferStatus.VERIFIED and offer.on_waiting_list is False


def test_rejecting_emails_the_reason(caseworker_client: FlaskClient, smtp_server: SMTPServer) -> None:
    offer = GoodsOfferFactory(offerer_email="gary@example.org", item_lines=[("television", 1)])
    url = f"/offers/{offer.id}/reject"
    assert "Enter the reason for rejecting the offer" in submit_form(caseworker_client, url, {"reason": " "}).get_data(
        as_text=True
    )
    reason = "We cannot give families televisions bought with public money, and none is needed now."
    assert submit_form(caseworker_client, url, {"reason": reason}).status_code == 302
    assert offer.status is OfferStatus.REJECTED and offer.rejection_reason == reason
    [message] = smtp_server.messages_to("gary@example.org")
    assert reason in message.body and offer.reference in message.subject


def test_marking_a_duplicate_closes_it_without_emailing(
    caseworker_client: FlaskClient, smtp_server: SMTPServer
) -> None:
    original = OfferFactory(reference="OF-FIRST1")
    repeat = OfferFactory()
    url = f"/offers/{repeat.id}/duplicate"
    page = submit_form(caseworker_client, url, {"original_reference": "OF-NOPE99"}).get_data(as_text=True)
    assert "Enter the reference of an existing offer" in page
    page = submit_form(caseworker_client, url, {"original_reference": repeat.reference}).get_data(as_text=True)
    assert "Enter the reference of a different offer" in page
    assert submit_form(caseworker_client, url, {"original_reference": " of-first1 "}).status_code == 302
    assert repeat.status is OfferStatus.REJECTED and repeat.duplicate_of_id == original.id
    assert smtp_server.messages == []
    assert "OF-FIRST1" in caseworker_client.get(f"/offers/{repeat.id}").get_data(as_text=True)


def test_status_follows_the_lifecycle_and_records_who_and_when(caseworker_client: FlaskClient) -> None:
    offer = OfferFactory(status=OfferStatus.VERIFIED)
    url = f"/offers/{offer.id}/status"
    assert submit_form(caseworker_client, url, {"status": "matched", "note": "Family 7KQ3"}).status_code == 302
    assert submit_form(caseworker_client, url, {"status": "fulfilled"}).status_code == 302
    assert offer.status is OfferStatus.FULFILLED
    assert [(e.from_status, e.to_status) for e in offer.events] == [
        (OfferStatus.VERIFIED, OfferStatus.MATCHED),
        (OfferStatus.MATCHED, OfferStatus.FULFILLED),
    ]
    assert all(e.occurred_at is not None and e.actor_id == caseworker_client.user.id for e in offer.events)
    page = submit_form(caseworker_client, url, {"status": "verified"}).get_data(as_text=True)
    assert "An offer that is fulfilled cannot become verified" in page
    audit = (
        db.session.execute(
            select(AuditEvent.summary).where(AuditEvent.action == "offer_status_changed").order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    # The note is free text: kept in the offer's history, never in the audit log.
    assert audit == ["status: verified → matched; note in the offer's history", "status: matched → fulfilled"]
    assert [e.note for e in offer.events][0] == "Family 7KQ3"


def test_staff_edit_an_offer_and_enter_a_cost_for_a_paid_offer(caseworker_client: FlaskClient) -> None:
    offer = TutorOfferFactory()
    url = f"/offers/{offer.id}/edit"
    form = caseworker_client.get(url).get_data(as_text=True)
    assert "Monthly rent" not in form and "Halal" not in form and "Hours a week" in form
    answers = {
        "description": "Paid tutor",
        "capacity": "3",
        "cost": "25",
        "available_from": ["", "", ""],
        "available_until": ["1", "7", "2027"],
        "postcode": "se4 1aa",
        "languages": ["Arabic", "Dari"],
        "home_visit": "no",
        "hours_per_week": "4",
    }
    bad = submit_form(caseworker_client, url, {**answers, "cost": "-5"}).get_data(as_text=True)
    assert "The cost per unit must be an amount of money" in bad
    assert submit_form(caseworker_client, url, answers).status_code == 302
    assert (offer.cost_pence, offer.capacity, offer.hours_per_week, offer.home_visit) == (2500, 3, 4, False)
    assert offer.languages == ["Arabic", "Dari"] and offer.postcode == "SE4 1AA"
    assert offer.location == pytest.approx((51.461, -0.035))
    assert "cost_pence: 0 → 2500" in offer.events[-1].note


def test_a_waiting_list_offer_can_be_moved_to_the_active_pool(caseworker_client: FlaskClient) -> None:
    offer = GoodsOfferFactory(on_waiting_list=True)
    page = caseworker_client.get(f"/offers/{offer.id}").get_data(as_text=True)
    response = caseworker_client.post(f"/offers/{offer.id}/pool", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert offer.on_waiting_list is False and offer.events[-1].action == "moved_to_active_pool"


def test_reviewers_cannot_act_on_offers(login_as: Any) -> None:
    reviewer = login_as(Role.REVIEWER)
    offer = HousingOfferFactory()
    token = csrf_token_from(reviewer.get("/offers/").get_data(as_text=True))
    response = reviewer.post(f"/offers/{offer.id}/verify", data={**GOOD_HOME, "csrf_token": token})
    assert response.status_code == 403
    assert offer.status is OfferStatus.SUBMITTED


def test_goods_quantities_live_on_their_item_lines_so_staff_edit_no_capacity(caseworker_client: FlaskClient) -> None:
    offer = GoodsOfferFactory(item_lines=[("cot", 1), ("bed", 2)])
    url = f"/offers/{offer.id}/edit"
    assert 'name="capacity"' not in caseworker_client.get(url).get_data(as_text=True)
    answers = {
        "description": "Collected by the charity van",
        "cost": "0",
        "available_from": ["", "", ""],
        "available_until": ["", "", ""],
        "postcode": "SE12 8PT",
        "capacity": "99",
    }
    assert submit_form(caseworker_client, url, answers).status_code == 302
    assert offer.capacity == 3 and offer.description == "Collected by the charity van"


def test_staff_correct_a_home_s_address_and_rent(caseworker_client: FlaskClient) -> None:
    offer = HousingOfferFactory()
    answers = {
        "description": "",
        "capacity": "1",
        "cost": "0",
        "available_from": ["", "", ""],
        "available_until": ["", "", ""],
        "postcode": "SE13 6QP",
        "address": "Flat 3, 48 Hither Green Lane",
        "bedrooms": "3",
        "rent": "1,850",
        "step_free": "yes",
    }
    assert submit_form(caseworker_client, f"/offers/{offer.id}/edit", answers).status_code == 302
    assert offer.address == "Flat 3, 48 Hither Green Lane" and offer.rent_pence == 185000
    assert "rent_pence: 194467 → 185000" in offer.events[-1].note


def test_empty_answers_on_an_offer_page_are_said_in_words_not_none(reviewer_client: FlaskClient) -> None:
    offer = HousingOfferFactory(organisation=None, certificates_held=[])
    page = reviewer_client.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert re.findall(r">\s*None\s*<", page) == []
    assert "Not given" in page and "No certificates" in page


def test_the_verify_page_of_an_offer_that_is_not_submitted_offers_no_form(caseworker_client: FlaskClient) -> None:
    offer = GoodsOfferFactory(status=OfferStatus.REJECTED)
    page = caseworker_client.get(f"/offers/{offer.id}/verify").get_data(as_text=True)
    assert "This offer is rejected. Only a submitted offer can be verified." in page
    assert 'name="note"' not in page and "Verify offer" not in page


def test_the_verify_page_of_a_submitted_offer_has_its_form(caseworker_client: FlaskClient) -> None:
    offer = GoodsOfferFactory(status=OfferStatus.SUBMITTED)
    page = caseworker_client.get(f"/offers/{offer.id}/verify").get_data(as_text=True)
    assert 'name="note"' in page and "Only a submitted offer can be verified" not in page


@pytest.mark.parametrize(
    ("role", "sees_contact"), [(Role.CASEWORKER, True), (Role.ADMIN, True), (Role.REVIEWER, False)]
)
def test_reviewers_see_offerers_names_and_organisations_only(login_as: Any, role: Role, sees_contact: bool) -> None:
    offer = OfferFactory(organisation="Hither Green Mosque", offerer_phone="020 7946 0123")
    client = login_as(role)
    pages = client.get(f"/offers/{offer.id}").get_data(as_text=True) + client.get("/offers/").get_data(as_text=True)
    export = client.get("/offers/export.csv").get_data(as_text=True)
    # pages write names escaped for HTML (an apostrophe in O'Brien), the CSV as they are
    for text, name in ((pages, str(escape(offer.offerer_name))), (export, offer.offerer_name)):
        assert name in text and "Hither Green Mosque" in text
        assert (offer.offerer_email in text) is sees_contact
        assert ("020 7946 0123" in text) is sees_contact
