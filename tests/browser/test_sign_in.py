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


def test_two_factor_set_up_and_sign_in_in_the_browser(page: Any, live_app: Any) -> None:
    """A new caseworker sets up an authenticator app from the QR page, keeps the recovery codes, and signs in
    again with a code from the app."""
    import pyotp

    from resettle.auth.models import Role
    from resettle.auth.services import create_user
    from resettle.extensions import db

    email = "new.caseworker@council.example"
    with live_app.app_context():
        create_user(email, "Nadia Rahman", Role.CASEWORKER, password=DEMO_PASSWORD)
        db.session.commit()
        db.session.remove()
    sign_in(page, email, DEMO_PASSWORD)
    page.wait_for_url("**/account/two-factor")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert accessibility_violations(page) == []
    key = page.get_by_test_id("totp-key").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    # all_inner_texts does not wait: wait for the page that shows the codes first.
    page.get_by_test_id("recovery-codes").locator("code").first.wait_for()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/code")
    assert accessibility_violations(page) == []
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert "Enter the current code" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Code").fill(codes[0])  # the phone is lost: a recovery code instead
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Nadia Rahman"
