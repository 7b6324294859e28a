"""The printable case summary of a family and of an offer: the record without buttons, forms or navigation
(the print stylesheet hides the service's chrome), each read audited, health data only on a need-to-know basis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.extensions import db
from resettle.taxonomy import Category
from tests.families.factories import FamilyFactory, HealthNoteFactory, MemberFactory, NeedFactory, TaskFactory
from tests.offers.factories import OfferFactory

ROOT = Path(__file__).resolve().parents[2]


def main_of(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_print_stylesheet_hides_chrome_buttons_and_forms_and_keeps_sections_whole() -> None:
    scss = (ROOT / "resettle" / "static" / "scss" / "application.scss").read_text()
    print_rules = scss.split("@media print", 1)[1].split("\n}\n", 1)[0]
    for selector in (".govuk-header", ".govuk-service-navigation", ".govuk-footer", ".govuk-button", "form"):
        assert selector in print_rules
    assert ".app-print-section" in print_rules and "break-inside: avoid-page" in print_rules


def test_the_family_summary_has_every_section_and_no_actions(login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    family = FamilyFactory(caseworker=client.user, name="Haddad")
    MemberFactory(family=family, full_name="Sara Haddad", eats_halal=True)
    NeedFactory(family=family, category=Category.FURNITURE, item="bed")
    TaskFactory(family=family, title="Register with a GP", assignee=client.user)
    HealthNoteFactory(family=family, body="Needs insulin")
    db.session.flush()
    page = client.get(f"/families/{family.reference}/summary")
    assert page.status_code == 200
    main = main_of(page.get_data(as_text=True))
    for text in ("Case details", "Sara Haddad", "Halal", "Register with a GP", "Needs insulin", "Consent", "Spend"):
        assert text in main, text
    assert "<form" not in main and "<button" not in main and "govuk-button" not in main
    assert "Change" not in main and "Print this page" in main
    assert main.count('class="app-print-section"') == 8
    entries = db.session.execute(select(AuditEvent.summary).where(AuditEvent.object_id == family.reference))
    summaries = list(entries.scalars())
    assert "Case summary viewed for printing" in summaries and "Health notes viewed" in summaries
    family_page = client.get(f"/families/{family.reference}").get_data(as_text=True)
    assert f'href="/families/{family.reference}/summary"' in family_page


def test_health_data_stays_out_for_those_who_may_not_read_it(login_as: Any) -> None:
    family = FamilyFactory(caseworker=login_as(Role.CASEWORKER).user)
    MemberFactory(family=family, full_name="Omar", eats_halal=True, dietary_needs="No nuts")
    HealthNoteFactory(family=family, body="Needs insulin")
    db.session.flush()
    for client in (login_as(Role.ADMIN), login_as(Role.CASEWORKER)):  # an administrator; another team's caseworker
        main = main_of(client.get(f"/families/{family.reference}/summary").get_data(as_text=True))
        assert "Omar" in main
        assert "Needs insulin" not in main and "No nuts" not in main and "Halal" not in main
        assert "Health notes" not in main and "restricted" in main
    assert login_as(Role.REVIEWER).get(f"/families/{family.reference}/summary").status_code == 403


def test_the_offer_summary_has_no_actions_and_is_audited(login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    offer = OfferFactory()
    db.session.flush()
    detail = main_of(client.get(f"/offers/{offer.id}").get_data(as_text=True))
    assert "govuk-button" in detail and f'href="/offers/{offer.id}/summary"' in detail
    main = main_of(client.get(f"/offers/{offer.id}/summary").get_data(as_text=True))
    assert f"Offer {offer.reference}" in main and "Who offered it" in main and "History" in main
    assert "<form" not in main and "govuk-button" not in main and "Print this page" in main
    audited = db.session.execute(select(AuditEvent.summary).where(AuditEvent.object_id == offer.reference))
    assert "viewed the offer's summary for printing" in list(audited.scalars())
