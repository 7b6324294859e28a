"""A person signs in through the real page in Chromium; the pages they see have no serious accessibility faults."""

from __future__ import annotations

from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, sign_in

pytestmark = pytest.mark.browser


def test_login_page_is_accessible(page: Any) -> None:
    page.goto("/login")
    assert page.title() == "Sign in – Resettle"
    assert accessibility_violations(page) == []


def test_wrong_password_shows_the_error_summary(page: Any) -> None:
    sign_in(page, "amira.caseworker@council.example", "not the password")
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    assert page.get_by_label("Email address").input_value() == "amira.caseworker@council.example"
    assert accessibility_violations(page) == []


def test_caseworker_signs_in_and_home_page_is_accessible(page: Any) -> None:
    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Amira Haddad"
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    assert "You have signed out" in page.locator(".govuk-notification-banner").inner_text()


def test_admin_pages_are_accessible(page: Any) -> None:
    sign_in(page, "sam.admin@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    for path in ("/admin/users/", "/admin/users/invite", "/admin/audit/"):
        page.goto(path)
        assert accessibility_violations(page) == [], path
