"""Retention with frozen time: closed cases six years after last contact, offerers two years after their last
offer, delivered emails after 90 days; legal holds keep records; the job logs counts, not contents."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.dataprotection.retention import ANONYMISED_FAMILY, Years, apply_retention, review_list, set_legal_hold
from resettle.families.models import CaseNote, FamilyStatus, HealthNote
from resettle.jobs import load_jobs
from resettle.jobs.runner import run_job
from resettle.notifications.models import OutboundEmail
from resettle.offers.models import Offer
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.families.factories import CaseNoteFactory, FamilyFactory, HealthNoteFactory, MemberFactory
from tests.offers.factories import OfferFactory

CLOSED_ON = datetime(2019, 3, 1, 10, tzinfo=UTC)


def _closed_family(name: str, last_note_at: datetime | None = None, **fields: Any) -> Any:
    with time_machine.travel(CLOSED_ON, tick=False):
        family = FamilyFactory(name=name, status=FamilyStatus.CLOSED, **fields)
        MemberFactory(family=family, full_name=f"{name} Member", access_needs="Uses a wheelchair")
        HealthNoteFactory(family=family, body="Diabetes")
        CaseNoteFactory(family=family, body=f"Spoke to {name}")
    if last_note_at is not None:
        with time_machine.travel(last_note_at, tick=False):
            CaseNoteFactory(family=family, body="Called about a reference")
    return family


def test_years_end_on_the_same_date_or_28_february() -> None:
    assert datetime(2020, 2, 29, tzinfo=UTC) + Years(2) == datetime(2022, 2, 28, tzinfo=UTC)
    assert datetime(2019, 3, 1, tzinfo=UTC) + Years(6) == datetime(2025, 3, 1, tzinfo=UTC)


def test_closed_cases_are_anonymised_six_years_after_last_contact(app: Flask, database: Any) -> None:
    old = _closed_family("Haddad")
    recent_contact = _closed_family("Karimi", last_note_at=datetime(2020, 6, 1, tzinfo=UTC))
    held = _closed_family("Rahimi", legal_hold=True)
    with time_machine.travel("2025-03-01 09:00 +0000", tick=False):  # an hour short of six years
        assert apply_retention(app.config)["families_anonymised"] == 0
    with time_machine.travel("2025-03-02 09:00 +0000", tick=False):
        counts = apply_retention(app.config)
    assert counts["families_anonymised"] == 1
    database.session.refresh(old)
    assert old.name == ANONYMISED_FAMILY and old.postcode is None and old.anonymised_at is not None
    member = old.members[0]
    assert member.full_name.startswith("Anonymised member") and member.access_needs == ""
    assert member.date_of_birth == date(1985, 1, 1)
    assert old.reference and old.scheme  # the case's figures and audit references stay
    for model in (HealthNote, CaseNote):
        assert (
            database.session.execute(
                select(func.count()).select_from(model).where(model.family_id == old.id)
            ).scalar_one()
            == 0
        )
    assert recent_contact.anonymised_at is None and recent_contact.name == "Karimi"
    assert held.anonymised_at is None and held.name == "Rahimi"
    with time_machine.travel("2026-06-02 09:00 +0000", tick=False):
        assert apply_retention(app.config)["families_anonymised"] == 1  # Karimi, six years after the call
    assert held.anonymised_at is None


def test_offerers_are_anonymised_two_years_after_their_last_offer(app: Flask, database: Any) -> None:
    with time_machine.travel("2023-01-10 12:00 +0000", tick=False):
        first = OfferFactory(offerer_email="twice@example.org", offerer_name="Twice Offered")
        OfferFactory(offerer_email="once@example.org", offerer_name="Once Offered")
        OfferFactory(offerer_email="held@example.org", legal_hold=True)
    with time_machine.travel("2024-01-10 12:00 +0000", tick=False):
        OfferFactory(offerer_email="twice@example.org", offerer_name="Twice Offered")
    with time_machine.travel("2025-01-11 12:00 +0000", tick=False):
        counts = apply_retention(app.config)
    assert counts["offerers_anonymised"] == 1 and counts["offers_anonymised"] == 1
    names = dict(database.session.execute(select(Offer.reference, Offer.offerer_name)).all())
    assert "Once Offered" not in names.values()
    assert names[first.reference] == "Twice Offered"  # their last offer was only a year ago
    assert database.session.execute(select(func.count()).select_from(Offer)).scalar_one() == 4
    with time_machine.travel("2026-01-11 12:00 +0000", tick=False):
        assert apply_retention(app.config)["offers_anonymised"] == 2
    held = database.session.execute(select(Offer).where(Offer.legal_hold)).scalar_one()
    assert held.offerer_email == "held@example.org"


def test_delivered_emails_go_after_90_days_and_pending_ones_stay(app: Flask, database: Any) -> None:
    with time_machine.travel("2025-01-01 12:00 +0000", tick=False):
        sent_at = datetime.now(UTC)
        database.session.add_all(
            [
                OutboundEmail(to_address="a@example.org", subject="s", body="link", status="sent", sent_at=sent_at),
                OutboundEmail(to_address="b@example.org", subject="s", body="link", status="failed"),
                OutboundEmail(to_address="c@example.org", subject="s", body="link", status="pending"),
            ]
        )
        database.session.flush()
    with time_machine.travel("2025-03-31 13:00 +0000", tick=False):  # 89 days later
        assert apply_retention(app.config)["emails_deleted"] == 0
    with time_machine.travel("2025-04-01 13:00 +0000", tick=False):
        assert apply_retention(app.config)["emails_deleted"] == 2
    remaining = database.session.execute(select(OutboundEmail.status)).scalars().all()
    assert remaining == ["pending"]


def test_the_job_is_registered_and_logs_counts_not_contents(
    app: Flask, database: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _closed_family("Secretname")
    job = load_jobs()["apply_retention"]
    assert job.trigger == "cron"
    with time_machine.travel("2030-01-01 03:00 +0000", tick=False), caplog.at_level(logging.INFO):
        result = run_job(job)
    assert result["families_anonymised"] == 1
    assert "families_anonymised=1" in caplog.text and "Secretname" not in caplog.text
    summary = database.session.execute(
        select(AuditEvent.summary).where(AuditEvent.action == "retention_applied")
    ).scalar_one()
    assert "families_anonymised=1" in summary and "Secretname" not in summary


def test_the_review_list_shows_what_is_due_and_when(app: Flask, database: Any) -> None:
    due_soon = _closed_family("Soon")
    with time_machine.travel("2023-05-01 12:00 +0000", tick=False):
        OfferFactory(offerer_email="soon@example.org")
        OfferFactory(offerer_email="later@example.org")
    with time_machine.travel("2024-12-01 12:00 +0000", tick=False):
        OfferFactory(offerer_email="later@example.org")
    with time_machine.travel("2025-02-01 12:00 +0000", tick=False):
        review = review_list(app.config)
    assert [due.family for due in review.families] == [due_soon]
    assert review.families[0].due_at == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert [due.email for due in review.offerers] == ["soon@example.org"]
    assert review.offerers[0].due_at == datetime(2025, 5, 1, 12, tzinfo=UTC)


def test_an_administrator_places_a_legal_hold_from_the_review_page(admin_client: FlaskClient, database: Any) -> None:
    family = _closed_family("Holdme")  # due since March 2025: listed as due now
    page = admin_client.get("/data-protection/retention").get_data(as_text=True)
    assert family.reference in page and "Due now" in page
    response = submit_form(
        admin_client, "/data-protection/retention", {"kind": "family", "key": family.reference, "hold": "on"}
    )
    assert response.status_code == 302
    database.session.refresh(family)
    assert family.legal_hold
    response = submit_form(admin_client, "/data-protection/retention", {"kind": "family", "key": "NOPE", "hold": "on"})
    assert "No family has that reference" in response.get_data(as_text=True)
    set_legal_hold("family", family.reference, False, UserFactory(role=Role.ADMIN))
    assert not family.legal_hold
