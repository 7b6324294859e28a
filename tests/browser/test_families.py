"""A caseworker opens a family's case in Chromium, adds members, confirms the arrival, sees the generated
tasks and completes one; the pages on the way have no serious accessibility faults."""

from __future__ import annotations

from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, sign_in

pytestmark = pytest.mark.browser


def fill_date(page: Any, field: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{field}-day").fill(day)
    page.locator(f"#{field}-month").fill(month)
    page.locator(f"#{field}-year").fill(year)


def add_member(page: Any, name: str, dob: tuple[str, str, str], sex: str, relationship: str) -> None:
    page.get_by_role("button", name="Add a family member").click()
    page.get_by_label("Full name").fill(name)
    fill_date(page, "date_of_birth", *dob)
    page.get_by_label(sex, exact=True).check()
    page.get_by_label("Relationship to the principal applicant").select_option(label=relationship)
    page.get_by_role("button", name="Save member").click()
    assert f"{name} added to the family" in page.locator(".govuk-notification-banner").inner_text()


def test_caseworker_creates_a_family_and_completes_an_arrival_task(page: Any) -> None:
    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Families").first.click()
    assert accessibility_violations(page) == [], "family list"

    page.get_by_role("button", name="Add a family").click()
    assert accessibility_violations(page) == [], "new family form"
    page.get_by_label("Family name").fill("Nasser family")
    page.get_by_role("button", name="Create family").click()  # mistakes first: the errors are listed
    assert "Enter the referral date" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Family name").input_value() == "Nasser family"
    assert accessibility_violations(page) == [], "form with errors"

    page.get_by_label("Syrian Vulnerable Persons Resettlement Scheme (VPRS)").check()
    fill_date(page, "referral_date", "3", "1", "2017")
    page.get_by_label("Principal applicant's full name").fill("Walid Nasser")
    fill_date(page, "applicant_date_of_birth", "12", "7", "1979")
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Postcode (optional)").fill("SE13 5AB")
    page.get_by_role("button", name="Create family").click()
    assert "created" in page.locator(".govuk-notification-banner").inner_text()
    assert accessibility_violations(page) == [], "family page"

    add_member(page, "Hiba Nasser", ("2", "2", "1983"), "Female", "Partner or spouse")
    add_member(page, "Omar Nasser", ("9", "9", "2009"), "Male", "Son or daughter")
    members = page.locator("#members + table").inner_text()
    assert "Walid Nasser" in members and "Hiba Nasser" in members and "Omar Nasser" in members

    page.get_by_role("link", name="Confirm arrival date").click()
    fill_date(page, "arrival_date", "20", "2", "2017")
    page.get_by_role("button", name="Confirm arrival date").click()
    assert "arrival tasks have been created" in page.locator(".govuk-notification-banner").inner_text()
    tasks = page.locator("table", has_text="Open tasks")
    assert "Make the Universal Credit claim" in tasks.inner_text()
    assert accessibility_violations(page) == [], "family page with tasks"

    tasks.get_by_role("button", name="Make the Universal Credit claim").click()
    assert "Done: Make the Universal Credit claim" in page.locator(".govuk-notification-banner").inner_text()
    assert "Make the Universal Credit claim" not in page.locator("table", has_text="Open tasks").inner_text()

    page.get_by_role("link", name="My tasks").first.click()
    assert "Secure a property at or below the LHA rate" in page.locator("main").inner_text()
    assert accessibility_violations(page) == [], "my tasks"


def test_demo_family_pages_are_accessible(page: Any) -> None:
    sign_in(page, "grace.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/families/?q=Saleh")
    page.locator("table a.govuk-link").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Saleh family")
    assert accessibility_violations(page) == [], "demo family page"
    page.get_by_role("link", name="Health notes").click()
    assert "Heart failure" in page.locator("main").inner_text()
    assert accessibility_violations(page) == [], "health notes"
    page.get_by_role("link", name="Back to the family").click()
    page.get_by_role("button", name="Raise a need").click()
    assert accessibility_violations(page) == [], "need form"
    page.goto("/tasks/team")
    assert accessibility_violations(page) == [], "team tasks"
