"""Scheduled jobs: offers end after their last day, offerers are reminded a week before, DBS renewals are flagged.

Jobs run through the real runner (their own transaction) and their email goes out through the outbox to a real
SMTP server; each job is safe to run twice.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask.testing import FlaskClient

from resettle.auth.models import Role
from resettle.jobs import load_jobs
from resettle.jobs.runner import run_job
from resettle.notifications.email import send_pending_email
from resettle.offers.models import OfferStatus
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.offers.answers import link_path
from tests.offers.factories import HousingOfferFactory, OfferFactory, TutorOfferFactory
from tests.smtp import SMTPServer

TODAY = date(2026, 11, 21)


def _run(job_id: str) -> Any:
    result = run_job(load_jobs()[job_id])
    send_pending_email()
    return result


def test_offers_past_their_end_date_expire_and_their_offerers_are_told(database: Any, smtp_server: SMTPServer) -> None:
    ended = OfferFactory(
        status=OfferStatus.VERIFIED, available_until=TODAY - timedelta(days=1), offerer_email="ended@example.org"
    )
    last_day = OfferFactory(available_until=TODAY)
    matched = OfferFactory(status=OfferStatus.MATCHED, available_until=TODAY - timedelta(days=3))
    open_ended = OfferFactory(available_until=None)
    assert _run("expire_offers") == 1
    assert ended.status is OfferStatus.EXPIRED
    assert (ended.events[-1].actor_label, ended.events[-1].to_status) == ("Scheduled job", OfferStatus.EXPIRED)
    assert last_day.status is OfferStatus.SUBMITTED and open_ended.status is OfferStatus.SUBMITTED
    assert matched.status is OfferStatus.MATCHED  # in use: staff decide
    [message] = smtp_server.messages_to("ended@example.org")
    assert "has ended" in message.subject
    assert _run("expire_offers") == 0


def test_a_week_before_the_end_the_offerer_gets_a_link_to_extend(
    client: FlaskClient, smtp_server: SMTPServer, frozen_day: Any
) -> None:
    offer = HousingOfferFactory(
        status=OfferStatus.VERIFIED, available_until=TODAY + timedelta(days=7), offerer_email="landlord@example.org"
    )
    later = HousingOfferFactory(available_until=TODAY + timedelta(days=8))
    assert _run("remind_offers_ending") == 1
    assert _run("remind_offers_ending") == 0  # once per end date
    [message] = smtp_server.messages_to("landlord@example.org")
    assert message.subject == f"Your offer ends on 28 November 2026: reference {offer.reference}"
    assert later.extension_reminder_sent_for is None

    path = link_path(message.body)
    response = submit_form(
        client, f"{path}/availability", {"available_from": ["", "", ""], "available_until": ["31", "5", "2027"]}
    )
    assert response.status_code == 302
    assert offer.available_until == date(2027, 5, 31) and offer.status is OfferStatus.VERIFIED

    frozen_day.shift(timedelta(days=185))  # a week before the new end date: reminded again
    assert _run("remind_offers_ending") == 1
    assert len(smtp_server.messages_to("landlord@example.org")) == 2


def test_dbs_checks_near_renewal_are_flagged_to_caseworkers_once(database: Any, smtp_server: SMTPServer) -> None:
    caseworker = UserFactory(role=Role.CASEWORKER, email="cw@council.example")
    UserFactory(role=Role.CASEWORKER, email="left@council.example", is_active_account=False)
    UserFactory(role=Role.REVIEWER, email="finance@council.example")
    due = TutorOfferFactory(status=OfferStatus.VERIFIED, dbs_expires_on=TODAY + timedelta(days=30))
    not_yet = TutorOfferFactory(status=OfferStatus.VERIFIED, dbs_expires_on=TODAY + timedelta(days=31))
    withdrawn = TutorOfferFactory(status=OfferStatus.WITHDRAWN, dbs_expires_on=TODAY + timedelta(days=2))
    assert _run("flag_dbs_renewals") == 1
    assert due.dbs_expiry_flagged_for == due.dbs_expires_on and due.events[-1].action == "dbs_renewal_flagged"
    assert not_yet.dbs_expiry_flagged_for is None and withdrawn.dbs_expiry_flagged_for is None
    [message] = smtp_server.messages_to(caseworker.email)
    assert due.reference in message.body and f"/offers/{due.id}" in message.body
    assert smtp_server.messages_to("left@council.example") == []
    assert smtp_server.messages_to("finance@council.example") == []
    assert _run("flag_dbs_renewals") == 0
    assert len(smtp_server.messages_to(caseworker.email)) == 1


def test_flagged_dbs_renewals_show_in_the_queue(caseworker_client: FlaskClient) -> None:
    due = TutorOfferFactory(
        reference="OF-DBSDUE", status=OfferStatus.VERIFIED, dbs_expires_on=TODAY + timedelta(days=10)
    )
    TutorOfferFactory(reference="OF-DBSOK1", status=OfferStatus.VERIFIED, dbs_expires_on=TODAY + timedelta(days=400))
    page = caseworker_client.get("/offers/?status=any&dbs_due=y").get_data(as_text=True)
    assert "OF-DBSDUE" in page and "OF-DBSOK1" not in page and "DBS renewal due" in page
    assert "DBS renewal due" in caseworker_client.get(f"/offers/{due.id}").get_data(as_text=True)


def test_dbs_renewal_dates_are_written_in_words(database: Any, smtp_server: SMTPServer) -> None:
    caseworker = UserFactory(role=Role.CASEWORKER, email="dates@council.example")
    due = TutorOfferFactory(status=OfferStatus.VERIFIED, dbs_expires_on=TODAY + timedelta(days=30))
    assert _run("flag_dbs_renewals") == 1
    assert due.events[-1].note == "DBS check due for renewal on 21 December 2026"
    [message] = smtp_server.messages_to(caseworker.email)
    assert "DBS renewal due 21 December 2026" in message.body


def test_changed_dates_are_written_in_words_in_the_offer_history(database: Any) -> None:
    from resettle.offers.services import change_availability

    offer = OfferFactory(available_from=None, available_until=None)
    change_availability(offer, date(2027, 3, 1), date(2027, 9, 30))
    assert offer.events[-1].note == "available: now to no end date → 1 March 2027 to 30 September 2027"
