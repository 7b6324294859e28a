"""The offerer's private link, followed from a real email: status, new dates, withdrawal."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.auth.models import Role
from resettle.extensions import db
from resettle.offers.models import Offer, OfferStatus
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.families.factories import NeedFactory
from tests.offers.answers import GOODS, HOUSING, NO_DATE, link_path
from tests.smtp import SMTPServer


def _submit(client: FlaskClient, offer_type: str, answers: dict) -> Offer:
    assert submit_form(client, f"/offer/{offer_type}", answers).status_code == 302
    return db.session.execute(select(Offer)).scalar_one()


def test_the_email_link_shows_the_offer_and_lets_the_offerer_change_dates(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    offer = _submit(client, "housing", HOUSING)
    [message] = smtp_server.messages_to("daniel.osei@example.org")
    assert message.subject == f"Your offer of help: reference {offer.reference}"
    assert offer.reference in message.body and "Hello Daniel Osei" in message.body
    path = link_path(message.body)

    visitor = client.application.test_client()  # a fresh browser: the link alone is enough
    page = visitor.get(path).get_data(as_text=True)
    assert offer.reference in page and "3-bedroom home" in page and "1 December 2026" in page

    wrong = submit_form(
        visitor, f"{path}/availability", {"available_from": ["1", "3", "2027"], "available_until": ["1", "2", "2027"]}
    )
    assert "The date it is available until must be after the date it is available from" in wrong.get_data(as_text=True)
    saved = submit_form(
        visitor,
        f"{path}/availability",
        {"available_from": ["1", "1", "2027"], "available_until": NO_DATE},
        follow_redirects=True,
    )
    assert "Your dates have been saved" in saved.get_data(as_text=True)
    assert offer.available_from.isoformat() == "2027-01-01" and offer.available_until is None
    assert offer.events[-1].action == "availability_changed"
    assert offer.events[-1].actor_label == "The person who made the offer"


def test_the_offerer_can_withdraw_through_the_link(client: FlaskClient, smtp_server: SMTPServer) -> None:
    offer = _submit(client, "housing", HOUSING)
    path = link_path(smtp_server.messages_to("daniel.osei@example.org")[0].body)
    done = submit_form(client, f"{path}/withdraw", {"reason": "Sold the flat"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "Your offer has been withdrawn" in page
    assert offer.status is OfferStatus.WITHDRAWN
    assert (offer.events[-1].from_status, offer.events[-1].to_status) == (OfferStatus.SUBMITTED, OfferStatus.WITHDRAWN)
    assert offer.events[-1].note == "Sold the flat"
    assert "Withdraw this offer" not in page and "Change when it is available" not in page
    assert client.get(f"{path}/withdraw").status_code == 302  # nothing left to withdraw


def test_an_expired_offer_comes_back_for_review_when_given_new_dates(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    offer = _submit(client, "housing", HOUSING)
    path = link_path(smtp_server.messages_to("daniel.osei@example.org")[0].body)
    offer.status = OfferStatus.EXPIRED
    page = client.get(path).get_data(as_text=True)
    assert "Give new dates to offer it again" in page and "Withdraw this offer" not in page
    submit_form(client, f"{path}/availability", {"available_from": NO_DATE, "available_until": ["1", "6", "2027"]})
    assert offer.status is OfferStatus.SUBMITTED
    assert offer.events[-1].note == "Renewed with new dates"


NOT_SAID = "not on our list of what several families need now"
NEUTRAL = "check whether a family can use"
NEEDED = "Several families arriving in the borough need this now"


def _public_signals(client: FlaskClient, smtp_server: SMTPServer, offer: Offer) -> dict[str, str]:
    email = smtp_server.messages_to("daniel.osei@example.org")[0].body
    return {
        "sent page": client.get(f"/offer/sent/{offer.public_id}").get_data(as_text=True),
        "email": email,
        "private page": client.get(link_path(email)).get_data(as_text=True),
    }


def test_an_offer_nothing_needs_goes_on_the_waiting_list_and_the_resident_is_told_kindly(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    form = client.get("/offer/furniture").get_data(as_text=True)
    assert NOT_SAID in form and 'href="/needed"' in form
    offer = _submit(client, "furniture", GOODS)
    assert offer.on_waiting_list is True
    signals = _public_signals(client, smtp_server, offer)
    assert NEUTRAL in signals["sent page"] and "waiting list" in signals["email"]
    assert "check whether a family can use it" in signals["private page"]


def test_a_need_only_one_or_two_families_have_is_never_revealed(client: FlaskClient, smtp_server: SMTPServer) -> None:
    """The cot one family needs puts the offer in the active pool for staff, but every public page and
    the email read exactly as when nobody needs it: only 3 or more families make a public "needed"."""
    NeedFactory(category="furniture", item="cot")
    NeedFactory(category="furniture", item="cot")
    assert NOT_SAID in client.get("/offer/furniture").get_data(as_text=True)
    offer = _submit(client, "furniture", GOODS)
    assert offer.on_waiting_list is False  # staff still match it
    for where, text in _public_signals(client, smtp_server, offer).items():
        assert NEEDED not in text, where
    assert NEUTRAL in _public_signals(client, smtp_server, offer)["sent page"]


def test_a_need_three_families_have_is_said_on_every_public_page_and_email(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    for _ in range(3):
        NeedFactory(category="furniture", item="cot")
    assert NOT_SAID not in client.get("/offer/furniture").get_data(as_text=True)
    offer = _submit(client, "furniture", GOODS)
    assert offer.on_waiting_list is False
    for where, text in _public_signals(client, smtp_server, offer).items():
        assert NEEDED in text, where


def test_a_home_too_small_for_any_family_goes_on_the_waiting_list(client: FlaskClient) -> None:
    NeedFactory(category="housing", bedrooms_min=4, step_free=False)
    offer = _submit(client, "housing", HOUSING)  # 3 bedrooms
    assert offer.on_waiting_list is True


def test_a_lost_or_expired_link_can_be_replaced_without_revealing_who_has_offered(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    offer = _submit(client, "housing", HOUSING)
    smtp_server.messages.clear()
    expired = client.get("/offer/manage/expired-or-mangled").get_data(as_text=True)
    assert 'href="/offer/new-link"' in expired

    wrong = submit_form(client, "/offer/new-link", {"reference": offer.reference, "email": "someone@else.example"})
    right = submit_form(
        client, "/offer/new-link", {"reference": offer.reference.lower(), "email": "Daniel.Osei@example.org"}
    )
    unknown = submit_form(client, "/offer/new-link", {"reference": "OF-NOPE99", "email": "daniel.osei@example.org"})
    pages = [re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True)) for response in (wrong, right, unknown)]
    assert all("Check your email" in page for page in pages)
    assert pages[0].replace("someone@else.example", "X") == pages[1].replace("Daniel.Osei@example.org", "X")
    assert smtp_server.messages_to("someone@else.example") == []
    [message] = smtp_server.messages_to("daniel.osei@example.org")
    assert message.subject == f"A new link for your offer: reference {offer.reference}"
    assert offer.reference in client.get(link_path(message.body)).get_data(as_text=True)
    assert offer.events[-1].action == "new_link_sent"

    page = submit_form(client, "/offer/new-link", {"reference": "", "email": ""}).get_data(as_text=True)
    assert "Enter your offer&#39;s reference" in page and "Enter your email address" in page


def test_withdrawing_a_matched_offer_tells_the_caseworkers_at_once(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    caseworker = UserFactory(role=Role.CASEWORKER, email="amira@council.example")
    offer = _submit(client, "housing", HOUSING)
    path = link_path(smtp_server.messages_to("daniel.osei@example.org")[0].body)
    offer.status = OfferStatus.MATCHED
    submit_form(client, f"{path}/withdraw", {"reason": "Family emergency; I need the flat"})
    [message] = smtp_server.messages_to(caseworker.email)
    assert offer.reference in message.subject
    assert "Family emergency; I need the flat" in message.body and f"/offers/{offer.id}" in message.body
