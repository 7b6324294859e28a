"""A spend reviewer, in Chromium, approves one spend line, rejects another and exports a claim batch; the
funding pages have no serious accessibility faults."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from resettle.auth.models import User
from resettle.clock import local_today
from resettle.demo import DEMO_PASSWORD
from resettle.demo.funding import demo_receipt
from resettle.extensions import db
from resettle.families.models import Family, FamilyStatus, Member, Relationship, Scheme, Sex
from resettle.funding.models import ExpenseCategory, FundingStream
from resettle.funding.receipts import add_receipt
from resettle.funding.spend_services import SpendFields, create_spend_line, submit_spend_line
from tests.browser.conftest import accessibility_violations, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def waiting_lines(live_app: Flask) -> Iterator[dict[str, str]]:
    """Two submitted lines on a family of the browser test's own, whatever the demo holds."""
    with live_app.app_context():
        caseworker = db.session.execute(select(User).where(User.email == "tom.caseworker@council.example")).scalar_one()
        family = Family(
            name="Browser test family",
            scheme=Scheme.VPRS,
            status=FamilyStatus.ARRIVED,
            referral_date=local_today() - timedelta(days=90),
            arrival_date=local_today() - timedelta(days=30),
        )
        family.members.append(
            Member(
                full_name="Nour Browser",
                date_of_birth=local_today() - timedelta(days=365 * 35),
                sex=Sex.FEMALE,
                relationship_to_applicant=Relationship.APPLICANT,
            )
        )
        db.session.add(family)
        core = db.session.execute(select(FundingStream).where(FundingStream.code == "vprs-core")).scalar_one()
        references = {}
        for code, label, pounds in (("bed", "approve", 240), ("chest_of_drawers", "reject", 890)):
            category = db.session.execute(select(ExpenseCategory).where(ExpenseCategory.code == code)).scalar_one()
            line = create_spend_line(
                SpendFields(
                    family,
                    core,
                    category,
                    f"{code} for the browser test",
                    pounds * 100,
                    "Lewisham Furniture Project",
                    local_today(),
                ),
                caseworker,
            )
            add_receipt(
                line, io.BytesIO(demo_receipt("Lewisham Furniture Project", f"GBP {pounds}")), "receipt.pdf", caseworker
            )
            submit_spend_line(line, caseworker)
            references[label] = line.reference
        category = db.session.execute(select(ExpenseCategory).where(ExpenseCategory.code == "towels")).scalar_one()
        draft = create_spend_line(
            SpendFields(family, core, category, "Towels", 2_500, "Primark", local_today()), caseworker
        )
        references["draft_url"] = f"/funding/spend/{draft.public_id}"
        references["family_url"] = f"/funding/families/{family.reference}/budgets"
        db.session.commit()
        db.session.remove()
    yield references


def test_reviewer_approves_rejects_and_exports_a_claim_batch(page: Any, waiting_lines: dict[str, str]) -> None:
    sign_in(page, "priya.reviewer@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Review spend").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Review spend"
    assert accessibility_violations(page) == []

    page.get_by_role("link", name=waiting_lines["approve"], exact=True).click()
    assert accessibility_violations(page) == []
    page.get_by_label("Reviewer's note").fill("Beds are essential furniture.")
    page.get_by_role("button", name="Approve").click()
    assert f"{waiting_lines['approve']} approved" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name=waiting_lines["reject"], exact=True).click()
    page.get_by_role("button", name="Reject").click()  # no reason yet
    assert "Enter the reason for rejecting this spend" in page.locator(".govuk-error-summary").inner_text()
    assert accessibility_violations(page) == []
    page.get_by_label("Reason for rejecting").fill("Far above the usual price: ask for a donated one instead.")
    page.get_by_role("button", name="Reject").click()
    assert f"{waiting_lines['reject']} rejected" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name="Claim batches").click()
    page.get_by_label("Scheme").select_option(label="VPRS: Syrian Vulnerable Persons Resettlement Scheme")
    page.get_by_role("button", name="Preview the claim").click()
    assert waiting_lines["approve"] in page.locator("main table").first.inner_text()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Create claim batch").click()
    assert "Claim batch VPRS-" in page.locator(".govuk-notification-banner").inner_text()
    assert accessibility_violations(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").first.click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    claimed = {row["line_reference"]: row for row in rows}
    assert waiting_lines["approve"] in claimed and waiting_lines["reject"] not in claimed
    assert claimed[waiting_lines["approve"]]["amount_pence"] == "24000"
    assert claimed[waiting_lines["approve"]]["reviewer_note"] == "Beds are essential furniture."


PAGES = {
    "priya.reviewer@council.example": [
        "/funding/review/dashboard",
        "/funding/budgets",
        "/funding/schemes",
        "/funding/eligibility",
        "/funding/spend",
    ],
    "tom.caseworker@council.example": [
        "/funding/spend/new",
        "/funding/spend",
        "/funding/schemes/1",
        "/funding/budgets",
    ],
    "sam.admin@council.example": [
        "/funding/schemes/1",
        "/funding/schemes/1/streams/new",
        "/funding/streams/1/rules/new",
        "/funding/eligibility",
        "/funding/eligibility/1/1",
    ],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_funding_pages_are_accessible(page: Any, waiting_lines: dict[str, str], email: str) -> None:
    sign_in(page, email, DEMO_PASSWORD)
    page.wait_for_url("**/")
    extra = [waiting_lines["draft_url"], waiting_lines["family_url"]] if "caseworker" in email else []
    for path in PAGES[email] + extra:
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert accessibility_violations(page) == [], path
