"""A caseworker records a subject access request for a demo family member, opens the export and prints it:
the printout carries the record without the service's header, navigation or links; the pages have no serious
accessibility faults."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from resettle.demo import DEMO_PASSWORD
from resettle.extensions import db
from resettle.families.models import Family
from tests.browser.conftest import serious_accessibility_violations, sign_in
from tests.browser.test_families import fill_date

pytestmark = pytest.mark.browser


def _a_member_of_a_family_of_two_or_more(app: Flask) -> tuple[str, str, list[str]]:
    with app.app_context():
        for family in db.session.execute(select(Family).order_by(Family.id)).scalars():
            if len(family.members) >= 2:
                member = family.members[0]
                others = [m.full_name for m in family.members[1:]]
                return family.reference, member.full_name, others
        db.session.remove()
    raise AssertionError("the demo has no family with two members")


def test_caseworker_records_a_request_and_prints_the_export(page: Any, live_app: Flask) -> None:
    reference, name, others = _a_member_of_a_family_of_two_or_more(live_app)
    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Data protection").first.click()
    assert serious_accessibility_violations(page) == [], "request list"
    page.get_by_role("button", name="Record a new request").click()
    page.get_by_label("A member of a family we support").check()
    page.get_by_label("Family reference (for a family member)").fill(reference)
    page.get_by_label("Member's full name, as recorded (for a family member)").fill(name)
    page.get_by_label("Who made the request").fill("The person themself, by letter")
    fill_date(page, "received_on", "2", "11", "2026")
    assert serious_accessibility_violations(page) == [], "request form"
    page.get_by_role("button", name="Record the request").click()
    assert "respond by" in page.locator("h1").inner_text()

    page.get_by_role("link", name="Open the export to print or save as PDF").click()
    assert name in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    for other in others:
        assert other not in body
    assert serious_accessibility_violations(page) == [], "export"

    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()
    assert not page.locator(".app-header").first.is_visible()
    assert not page.get_by_role("link", name="Download the same data as JSON").is_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
