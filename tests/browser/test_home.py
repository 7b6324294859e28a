"""Each role's home page on the demo borough: what needs doing, with counts that lead to the lists. The
screenshots in the README (docs/screenshots/) are taken here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import PROJECT_ROOT, accessibility_violations, has_no_horizontal_scroll, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize(
    ("email", "name", "expected"),
    [
        ("amira.caseworker@council.example", "home-caseworker", ["overdue task", "offers to verify"]),
        ("priya.reviewer@council.example", "home-reviewer", ["Next claim", "Budgets"]),
        ("sam.admin@council.example", "home-administrator", ["Accounts", "Last matching run"]),
    ],
)
def test_home_page_by_role(page: Any, email: str, name: str, expected: list[str]) -> None:
    page.set_viewport_size({"width": 1024, "height": 800})
    sign_in(page, email, DEMO_PASSWORD)
    page.wait_for_url("**/")
    main = page.locator("main").inner_text()
    for text in expected:
        assert text in main, main
    assert accessibility_violations(page) == []
    assert screenshot(page, name).stat().st_size > 0
    page.set_viewport_size({"width": 375, "height": 800})
    assert has_no_horizontal_scroll(page)


def test_a_caseworkers_count_leads_to_the_list_it_counts(page: Any) -> None:
    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.locator(".app-work-list a", has_text="offers to verify").click()
    page.wait_for_url("**/offers/?status=submitted")
    assert "Submitted" in page.locator("main table").inner_text()
    assert accessibility_violations(page) == []
