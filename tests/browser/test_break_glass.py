"""A caseworker from another team breaks glass in Chromium to read a family's health notes; an administrator
then sees the reason on the break-glass list but never the notes."""

from __future__ import annotations

from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, sign_in

pytestmark = pytest.mark.browser

REASON = "Family called the duty line about a prescription while Amira is on leave"


def test_break_glass_in_the_browser(page: Any, browser: Any, live_server: str) -> None:
    sign_in(page, "grace.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/families/?q=Al-Khatib")
    page.locator("table a.govuk-link").first.click()
    assert "restricted" in page.locator("#members + table").inner_text()
    page.get_by_role("link", name="Health notes").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sensitive details of another team's family"
    assert accessibility_violations(page) == [], "break-glass form"

    page.get_by_role("button", name="Continue").click()  # no reason: refused, nothing opened
    assert "Enter your reason" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Why do you need to see").fill(REASON)
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Health notes"
    notes = page.locator("main").inner_text()
    assert "Access recorded" in notes and "diabet" in notes.lower()

    admin_context = browser.new_context(base_url=live_server, bypass_csp=True)  # for axe-core, as in conftest
    admin = admin_context.new_page()
    try:
        sign_in(admin, "sam.admin@council.example", DEMO_PASSWORD)
        admin.wait_for_url("**/")
        admin.get_by_role("link", name="Break glass").first.click()
        listing = admin.locator("main").inner_text()
        assert REASON in listing and "Grace Mensah" in listing
        assert "diabet" not in listing.lower()
        assert accessibility_violations(admin) == [], "break-glass list"
    finally:
        admin_context.close()
