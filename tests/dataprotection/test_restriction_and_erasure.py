"""Restriction of processing keeps a family's record but stops matching, emails about them and exports;
erasure of an offerer removes what identifies them but keeps the offer's figures, matches and audit references."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.dataprotection.erasure import ERASED_NAME, erase_offerer
from resettle.dataprotection.restriction import lift_restriction, may_process, restrict_family
from resettle.errors import FieldError
from resettle.families.jobs import send_overdue_task_reminders
from resettle.matching.builder import open_needs
from resettle.matching.emails import send_offerer_next_steps
from resettle.matching.models import Match
from resettle.matching.services import MatchError, accept_proposal
from resettle.notifications.email import queue_email
from resettle.notifications.models import OutboundEmail
from resettle.offers.links import make_offer_token, offer_for_token
from resettle.offers.models import Offer, OfferStatus
from tests.conftest import submit_form
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory, NeedFactory, TaskFactory
from tests.matching.factories import MatchFactory, ProposalFactory
from tests.offers.factories import OfferFactory


def _outbox(database: Any) -> int:
    return database.session.execute(select(func.count()).select_from(OutboundEmail)).scalar_one()


def test_a_restricted_familys_needs_are_left_out_of_matching(database: Any) -> None:
    kept, restricted = NeedFactory(), NeedFactory()
    restrict_family(restricted.family, "Contests the accuracy of the record", UserFactory())
    needs = open_needs()
    assert kept in needs and restricted not in needs
    lift_restriction(restricted.family, UserFactory())
    assert restricted in open_needs()


def test_no_email_about_a_restricted_family(database: Any) -> None:
    match = MatchFactory()
    caseworker = UserFactory(role=Role.CASEWORKER)
    restrict_family(match.need.family, "Asked us to stop while they complain", caseworker)
    before = _outbox(database)
    send_offerer_next_steps(match, caseworker)
    assert _outbox(database) == before
    lift_restriction(match.need.family, caseworker)
    send_offerer_next_steps(match, caseworker)
    assert _outbox(database) == before + 1


def test_overdue_reminders_leave_out_restricted_families(database: Any) -> None:
    amira = UserFactory(role=Role.CASEWORKER)
    family = FamilyFactory(caseworker=amira)
    TaskFactory(family=family, assignee=amira, title="Register with a GP", due_on=date(2025, 6, 3))
    restrict_family(family, "Objected to processing", amira)
    with time_machine.travel("2025-06-10 08:00 +0100", tick=False):
        assert send_overdue_task_reminders() == 0


def test_restricted_families_are_not_exported_but_their_page_says_so(
    caseworker_client: FlaskClient, database: Any
) -> None:
    FamilyFactory(name="Open family")
    restricted = FamilyFactory(name="Restricted family")
    response = submit_form(
        caseworker_client,
        f"/data-protection/families/{restricted.reference}/restriction",
        {"action": "restrict", "reason": "Contests the accuracy of the record"},
    )
    assert response.status_code == 302
    assert not may_process(restricted)
    export = caseworker_client.get("/families/export.csv").get_data(as_text=True)
    assert "Open family" in export and "Restricted family" not in export
    page = caseworker_client.get(f"/families/{restricted.reference}").get_data(as_text=True)
    assert "Processing restricted since" in page
    assert "Lift the restriction of processing" in page
    actions = database.session.execute(select(AuditEvent.action, AuditEvent.summary)).all()
    assert ("family_restricted", "processing restricted") in actions  # the reason itself stays out of the log


def test_restricting_without_a_reason_is_refused_beside_the_field(
    caseworker_client: FlaskClient, database: Any
) -> None:
    family = FamilyFactory()
    url = f"/data-protection/families/{family.reference}/restriction"
    response = submit_form(caseworker_client, url, {"action": "restrict", "reason": "  "})
    assert response.status_code == 200
    assert "Enter why processing is restricted" in response.get_data(as_text=True)
    assert may_process(family)


def test_erasing_an_offerer_keeps_figures_matches_and_audit_references(database: Any) -> None:
    email = "amal@example.org"
    matched = MatchFactory(offer__offerer_email=email, offer__offerer_name="Amal Haddad", offer__offerer_phone="07700")
    waiting = OfferFactory(offerer_email=email, status=OfferStatus.VERIFIED, description="Amal's Sunday lunch")
    other = OfferFactory(offerer_email="ben@example.org")
    token = make_offer_token(waiting)
    queue_email(email, "Your offer", "Your private link: https://example/offer/secret")
    queue_email(other.offerer_email, "Your offer", "kept")
    admin = UserFactory(role=Role.ADMIN)

    assert erase_offerer("Amal@Example.org", admin) == 2

    for offer in (matched.offer, waiting):
        database.session.refresh(offer)
        assert offer.offerer_name == ERASED_NAME and offer.offerer_email == ""
        assert offer.offerer_phone is None and offer.description == "" and offer.erased_at is not None
    assert waiting.status is OfferStatus.WITHDRAWN  # nobody could take it up now
    assert offer_for_token(token) is None  # the private link no longer opens it
    assert database.session.get(Match, matched.id).offer == matched.offer  # the match keeps working
    assert database.session.execute(select(func.count()).select_from(Offer)).scalar_one() == 3
    addresses = database.session.execute(select(OutboundEmail.to_address)).scalars().all()
    assert email not in addresses and other.offerer_email in addresses
    erased_rows = database.session.execute(
        select(AuditEvent.object_id).where(AuditEvent.action == "offerer_erased")
    ).scalars()
    assert sorted(erased_rows) == sorted([matched.offer.reference, waiting.reference])
    assert queue_email("", "Nothing", "to nobody") is None  # nothing can be queued for an erased offerer


def test_an_offer_under_legal_hold_is_not_erased(database: Any) -> None:
    OfferFactory(offerer_email="held@example.org", legal_hold=True, offerer_name="Held Person")
    with pytest.raises(FieldError, match="legal hold"):
        erase_offerer("held@example.org", UserFactory(role=Role.ADMIN))
    assert database.session.execute(select(Offer.offerer_name)).scalar_one() == "Held Person"


def test_an_administrator_erases_an_offerer_from_the_page(admin_client: FlaskClient, database: Any) -> None:
    offer = OfferFactory(offerer_email="gone@example.org")
    response = submit_form(admin_client, "/data-protection/erasure", {"email": "gone@example.org", "confirm": "y"})
    assert response.status_code == 302
    database.session.refresh(offer)
    assert offer.erased_at is not None
    response = submit_form(admin_client, "/data-protection/erasure", {"email": "gone@example.org", "confirm": "y"})
    assert response.status_code == 200
    assert "No offers were made with that email address" in response.get_data(as_text=True)
    assert 'value="gone@example.org"' in response.get_data(as_text=True)


def test_a_proposal_made_before_the_restriction_cannot_be_accepted(database: Any) -> None:
    proposal = ProposalFactory()
    caseworker = UserFactory(role=Role.CASEWORKER)
    restrict_family(proposal.need.family, "Objected to processing", caseworker)
    with pytest.raises(MatchError, match="restricted"):
        accept_proposal(proposal, caseworker)
    assert database.session.execute(select(func.count()).select_from(Match)).scalar_one() == 0
