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
    page.wait_for_url("**/tasks/?window=overdue")  # the list filtered to what the count counted
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


def _tasks_for_the_morning(live_app: Any) -> tuple[str, str]:
    """Three overdue tasks of one of Tom's families, only for this test: (family name, family reference)."""
    from datetime import timedelta

    from sqlalchemy import select

    from resettle.auth.models import User
    from resettle.clock import local_today
    from resettle.extensions import db
    from resettle.families.models import Family, Need, NeedStatus, Task, TaskStage

    with live_app.app_context():
        tom = db.session.execute(select(User).where(User.email == "tom.caseworker@council.example")).scalar_one()
        # One with an open need, so its matching page offers "Choose an offer by hand".
        family = db.session.execute(
            select(Family)
            .where(Family.caseworker_id == tom.id, Family.needs.any(Need.status == NeedStatus.OPEN))
            .order_by(Family.id)
            .limit(1)
        ).scalar_one()
        for number in (1, 2, 3):
            db.session.add(
                Task(
                    family=family,
                    title=f"Morning check {number}",
                    stage=TaskStage.ONGOING,
                    due_on=local_today() - timedelta(days=number),
                    assignee=tom,
                )
            )
        db.session.commit()
        found = (family.name, family.reference)
        db.session.remove()
    return found


def test_tasks_filtered_by_family_and_due_window_then_marked_done_together(page: Any, live_app: Any) -> None:
    name, reference = _tasks_for_the_morning(live_app)
    sign_in(page, "tom.caseworker@council.example", DEMO_PASSWORD)
    page.goto("/tasks/")
    page.get_by_label("Family", exact=True).fill(name)
    page.get_by_label("Due", exact=True).select_option("overdue")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/tasks/?family=*")
    main = page.locator("main")
    rows = main.locator("tbody tr")
    assert {f"Morning check {n}" for n in (1, 2, 3)} <= set(re.findall(r"Morning check \d", main.inner_text()))
    assert all(name in row for row in rows.all_inner_texts())  # names, not only references, for his own family
    assert [caption.split(" (")[0] for caption in main.locator("caption").all_inner_texts()] == ["Overdue"]
    assert accessibility_violations(page) == []

    page.get_by_label("Select Morning check 1").check()
    page.get_by_label("Select Morning check 2").check()
    page.get_by_role("button", name="Mark selected tasks as done").click()
    page.wait_for_load_state()
    assert "2 tasks marked as done" in page.locator(".govuk-notification-banner").inner_text()
    assert "family=" in page.url and "window=overdue" in page.url  # the filters are kept
    text = main.inner_text()
    assert "Morning check 1" not in text and "Morning check 2" not in text and "Morning check 3" in text
    assert accessibility_violations(page) == []

    page.goto(f"/tasks/team?window=overdue&assignee=me&family={reference}")
    assert "Morning check 3" in main.inner_text() and "Morning check 1" not in main.inner_text()
    assert accessibility_violations(page) == []

    page.goto(f"/matching/?q={reference}")
    assert page.get_by_label("Search the proposals").input_value() == reference
    assert accessibility_violations(page) == []
    page.goto(f"/matching/families/{reference}")
    page.get_by_role("link", name=re.compile(r"^Choose (an|another) offer by hand")).first.click()
    page.wait_for_url("**/matching/needs/*/pick")
    assert "Choose an offer for" in page.locator("h1").inner_text()
    assert accessibility_violations(page) == []
    page.goto("/funding/spend?q=bed")
    assert accessibility_violations(page) == []
