"""A caseworker's morning: the home page leads to the overdue tasks and to a proposal; accepting it creates a
task, and marking the match fulfilled closes that task."""

from __future__ import annotations

import re
from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, run_matching_now, sign_in

pytestmark = pytest.mark.browser


def test_home_to_overdue_tasks_to_a_proposal_accepted_fulfilled_and_its_task_closed(page: Any, live_app: Any) -> None:
    sign_in(page, "grace.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.locator(".app-work-list a", has_text="overdue task").click()
    page.wait_for_url("**/tasks/")
    assert "Overdue" in page.locator("main").inner_text()
    assert accessibility_violations(page) == []

    page.goto("/matching/")
    run_matching_now(page, live_app)
    page.goto("/")
    page.locator(".app-work-list a", has_text="waiting for your decision").click()
    page.wait_for_url("**/matching/")
    # Any family but the Mansours, whose housing proposal the matching walk-through accepts itself.
    page.locator("main table tbody tr").filter(has_not_text="Mansour").locator("a").first.click()
    page.wait_for_url("**/matching/families/**")
    accept = page.get_by_role("button", name=re.compile(r"^Accept the proposal for ")).first
    accept.click()
    assert "Matched:" in page.locator(".govuk-notification-banner").inner_text()
    card = page.locator(".govuk-summary-card", has=page.locator(".govuk-summary-list__key", has_text="Task")).first
    task_row = card.locator(".govuk-summary-list__row", has_text="Task").inner_text()
    task_title = task_row.removeprefix("Task").strip().rsplit(", due", 1)[0]
    assert accessibility_violations(page) == []

    family_page = page.url.replace("/matching/families/", "/families/")
    page.goto(family_page)
    open_tasks = page.locator("table", has=page.locator("caption", has_text="Open tasks"))
    assert task_title in open_tasks.inner_text()
    page.go_back()
    card.get_by_role("button", name=re.compile(r"^Mark as fulfilled")).click()
    assert "fulfilled" in page.locator(".govuk-notification-banner").inner_text().lower()
    page.goto(family_page)
    assert task_title not in open_tasks.inner_text()
    assert f"{task_title}: done" in (page.locator("details", has_text="Done tasks").text_content() or "")
    assert accessibility_violations(page) == []
