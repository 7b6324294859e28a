"""Staff pages at phone widths: nothing scrolls sideways at 375 px (wide tables scroll inside their own
region), and axe finds no violation of any impact."""

from __future__ import annotations

from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, has_no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}

CASEWORKER_PAGES = [
    "/",
    "/families/",
    "/tasks/",
    "/tasks/team",
    "/offers/",
    "/matching/",
    "/matching/runs",
    "/matching/gaps",
    "/funding/spend",
    "/funding/budgets",
    "/funding/schemes",
    "/funding/eligibility",
    "/notifications/",
    "/notifications/email",
]
REVIEWER_PAGES = ["/", "/funding/review", "/funding/review/dashboard", "/funding/claims", "/funding/spend"]
ADMIN_PAGES = ["/", "/admin/users/", "/admin/audit/"]


def check(page: Any, path: str) -> None:
    assert has_no_horizontal_scroll(page), f"{path} scrolls sideways at 375 px"
    assert accessibility_violations(page) == [], path


def visit(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, path
    check(page, path)


def follow_first(page: Any, list_path: str, link_selector: str) -> None:
    page.goto(list_path)
    page.locator(link_selector).first.click()
    page.wait_for_load_state()
    check(page, page.url)


def test_caseworker_pages_fit_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "tom.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    for path in CASEWORKER_PAGES:
        visit(page, path)
    follow_first(page, "/families/", "main table tbody a")  # a family's page
    follow_first(page, "/offers/", "main table tbody a")  # an offer
    follow_first(page, "/funding/spend", "main table tbody a")  # a spend line


def test_reviewer_pages_fit_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "priya.reviewer@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    for path in REVIEWER_PAGES:
        visit(page, path)


def test_administrator_pages_fit_a_phone_and_the_audit_log_scrolls_in_its_region(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "sam.admin@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    for path in ADMIN_PAGES:
        visit(page, path)
    region = page.get_by_role("region", name="Audit entries")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls, the page does not
    assert "scroll it sideways" in page.locator("main").inner_text()
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
