"""Bad input and abuse on the public pages: CSRF, the honeypot, rate limits, length limits, escaping, bad links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.db import utcnow
from resettle.extensions import db
from resettle.notifications.models import OutboundEmail
from resettle.offers.links import make_offer_token
from resettle.offers.models import Offer
from tests.conftest import csrf_token_from, submit_form
from tests.offers.answers import BEFRIENDING, HOUSING
from tests.offers.factories import OfferFactory
from tests.smtp import SMTPServer


def _offer_count() -> int:
    return len(db.session.execute(select(Offer.id)).all())


def test_a_post_without_a_csrf_token_gets_a_clear_page_and_saves_nothing(client: FlaskClient) -> None:
    client.get("/offer/housing")
    response = client.post("/offer/housing", data=HOUSING)
    assert response.status_code == 400
    assert "This form has expired or could not be checked" in response.get_data(as_text=True)
    assert _offer_count() == 0


def test_a_filled_honeypot_looks_like_success_but_saves_and_sends_nothing(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    response = submit_form(client, "/offer/housing", {**HOUSING, "website": "http://spam.example"})
    assert response.status_code == 200
    assert "Thank you" in response.get_data(as_text=True)
    assert _offer_count() == 0
    assert db.session.execute(select(OutboundEmail)).scalars().all() == []
    assert smtp_server.messages == []


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client: FlaskClient) -> None:
    page = client.get("/offer/befriending").get_data(as_text=True)
    assert '<div class="govuk-visually-hidden" aria-hidden="true">' in page
    assert 'name="website" tabindex="-1" autocomplete="off"' in page


def test_offer_form_posts_are_rate_limited_per_address(client: FlaskClient) -> None:
    token = csrf_token_from(client.get("/offer/befriending").get_data(as_text=True))
    statuses = [client.post("/offer/befriending", data={"csrf_token": token}).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "Too many attempts" in client.post("/offer/befriending", data={"csrf_token": token}).get_data(as_text=True)
    assert client.get("/offer/befriending").status_code == 200  # reading the form is not limited


def test_private_link_pages_are_rate_limited_per_address(client: FlaskClient) -> None:
    statuses = [client.get(f"/offer/manage/guess-{n}").status_code for n in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429


def test_every_text_answer_has_a_length_limit(client: FlaskClient) -> None:
    answers = {
        **BEFRIENDING,
        "offerer_name": "N" * 121,
        "organisation": "O" * 121,
        "description": "D" * 2001,
        "offerer_phone": "0" * 31,
        "offerer_email": "e" * 250 + "@example.org",
    }
    page = submit_form(client, "/offer/befriending", answers).get_data(as_text=True)
    for message in (
        "Your name must be 120 characters or fewer",
        "Organisation must be 120 characters or fewer",
        "What are you offering must be 2000 characters or fewer",
        "Phone number must be 30 characters or fewer",
        "Email address must be 254 characters or fewer",
    ):
        assert message in page
    assert _offer_count() == 0


def test_answers_are_shown_escaped_to_staff(client: FlaskClient, caseworker_client: FlaskClient) -> None:
    script = "<script>alert('x')</script>"
    response = submit_form(
        client, "/offer/befriending", {**BEFRIENDING, "offerer_name": script, "description": f"<b>bold</b>{script}"}
    )
    assert response.status_code == 302
    offer = db.session.execute(select(Offer)).scalar_one()
    for url in ("/offers/", f"/offers/{offer.id}"):
        page = caseworker_client.get(url).get_data(as_text=True)
        assert script not in page and "<b>bold</b>" not in page
        assert "&lt;script&gt;" in page


def test_a_tampered_link_gets_a_clear_page_not_an_error(client: FlaskClient) -> None:
    token = make_offer_token(OfferFactory())
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for path in (f"/offer/manage/{tampered}", f"/offer/manage/{tampered}/withdraw", "/offer/manage/nonsense"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link has expired or is not valid" in response.get_data(as_text=True)


def test_an_expired_link_gets_a_clear_page(client: FlaskClient, frozen_day: Any) -> None:
    offer = OfferFactory()
    token = make_offer_token(offer)
    assert client.get(f"/offer/manage/{token}").status_code == 200
    frozen_day.shift(timedelta(days=91))
    response = client.get(f"/offer/manage/{token}")
    assert response.status_code == 404
    assert "Links to follow an offer work for 90 days" in response.get_data(as_text=True)


def test_a_confirmation_page_needs_the_unguessable_id(client: FlaskClient) -> None:
    offer = OfferFactory()
    assert client.get(f"/offer/sent/{offer.public_id}").status_code == 200
    assert client.get(f"/offer/sent/{offer.reference}").status_code == 404
    assert client.get(f"/offer/sent/{offer.id}").status_code == 404


def test_the_confirmation_email_carries_none_of_the_submitters_own_words(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    spam = "Cheap pills at http://spam.example, reply now"
    answers = {**BEFRIENDING, "description": spam, "offerer_email": "victim@example.org"}
    assert submit_form(client, "/offer/befriending", answers).status_code == 302
    [message] = smtp_server.messages_to("victim@example.org")
    assert "spam.example" not in message.body and "pills" not in message.subject + message.body
    assert "Hello Daniel Osei" in message.body  # their name is the only thing of theirs


def test_one_address_gets_at_most_its_daily_number_of_public_emails(
    app: Flask, client: FlaskClient, smtp_server: SMTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_EMAILS_PER_ADDRESS_PER_DAY", 3)
    for index in range(5):
        address = "Victim@Example.org" if index % 2 else "victim@example.org"
        answers = {**BEFRIENDING, "offerer_email": address}
        assert submit_form(client, "/offer/befriending", answers).status_code == 302

    def to_victim() -> int:
        return sum(1 for message in smtp_server.messages if message.to[0].lower() == "victim@example.org")

    assert to_victim() == 3
    assert len(db.session.execute(select(Offer)).scalars().all()) == 5  # the offers are all kept
    held = db.session.execute(select(AuditEvent).where(AuditEvent.action == "public_email_held_back"))
    assert len(held.scalars().all()) == 2
    # A new day, a fresh allowance.
    with time_machine.travel(utcnow() + timedelta(days=1, minutes=1)):
        assert submit_form(client, "/offer/befriending", {**BEFRIENDING, "offerer_email": "victim@example.org"})
    assert to_victim() == 4
