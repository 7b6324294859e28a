"""Requirements follow the category: a family who eats halal food still gets a sofa that is not halal."""

from __future__ import annotations

import re
from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, run_matching_now, sign_in

pytestmark = pytest.mark.browser

AMIRA = "amira.caseworker@council.example"


def test_a_halal_family_is_matched_with_a_sofa_that_is_not_halal(page: Any, live_app: Any) -> None:
    sign_in(page, AMIRA, DEMO_PASSWORD)
    page.goto("/families/?q=Al-Hassan")
    page.locator("main table a").first.click()
    page.get_by_role("button", name="Raise a need").click()
    assert accessibility_violations(page) == [], "choose what is needed"

    page.get_by_label("Welcome meal").check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_label("Must be halal").is_checked()
    assert "Suggested because Rania eats halal food" in page.locator("main").inner_text()
    page.get_by_role("link", name="Change what is needed").click()

    page.get_by_label("Furniture and white goods").check()
    page.get_by_role("button", name="Continue").click()
    form = page.locator("main").inner_text()
    assert "Must be halal" not in form and "step-free" not in form
    assert accessibility_violations(page) == [], "the furniture need form"
    page.get_by_label("Item").select_option(label="Sofa")
    page.get_by_role("button", name="Save need").click()
    assert "Need raised: Furniture and white goods: Sofa" in page.locator(".govuk-notification-banner").inner_text()

    # Priya's furniture (a sofa among it) has just come in: the caseworker verifies it.
    page.goto("/offers/")
    page.locator("main tr", has_text="Priya Natarajan").get_by_role("link").first.click()
    page.get_by_role("button", name="Verify").first.click()
    page.get_by_role("button", name="Verify offer").click()
    assert "Verified" in page.locator("main").inner_text()

    page.get_by_role("link", name="Matching").first.click()
    run_matching_now(page, live_app)
    page.goto("/matching/")
    page.get_by_role("link", name=re.compile(r"^Al-Hassan family")).first.click()
    sofa = page.locator(
        ".govuk-summary-card", has=page.get_by_role("heading", name="Furniture and white goods: Sofa", exact=True)
    )
    card = sofa.inner_text()
    assert "Priya Natarajan" in card or "OF-" in card, card
    assert "halal" not in card.lower()
    assert accessibility_violations(page) == [], "the family's proposals"
