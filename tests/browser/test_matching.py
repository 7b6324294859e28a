"""On the demo borough: a caseworker runs matching, accepts a proposal, sees the need and the offer move to
matched, and sees what is still missing in the gap report. Every page is checked for accessibility faults."""

from __future__ import annotations

import re
from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, delivered_to, sign_in
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

TOM = "tom.caseworker@council.example"
DIOCESE = "property@southwark-diocese.example"


def test_run_matching_accept_a_proposal_and_see_the_gaps(page: Any, smtp_server: SMTPServer, live_app: Any) -> None:
    sign_in(page, TOM, DEMO_PASSWORD)
    page.get_by_role("link", name="Matching").first.click()
    page.wait_for_url("**/matching/")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Run matching now").click()
    page.wait_for_url("**/matching/runs/progress/**")
    assert "Queued" in page.locator("[data-phase]").inner_text()
    # The live page refreshes itself (no JavaScript needed) and offers a link to stop it, which axe cannot see.
    assert [v for v in accessibility_violations(page) if v["id"] != "meta-refresh"] == []
    page.get_by_role("link", name="stop refreshing").click()
    assert accessibility_violations(page) == []
    from resettle.extensions import db
    from resettle.matching.jobs import process_matching_queue

    with live_app.app_context():  # what the scheduler process does every few seconds
        assert process_matching_queue().startswith("run ")
        db.session.remove()
    page.reload()
    assert page.locator("[data-phase]").get_attribute("data-phase") == "done"
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Proposals").last.click()
    page.wait_for_url("**/matching/")

    page.get_by_role("link", name=re.compile(r"^Mansour family")).first.click()
    page.wait_for_url("**/matching/families/**")
    assert accessibility_violations(page) == []
    housing = page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Housing", exact=True))
    assert "Diocese of Southwark" in housing.inner_text()
    page.get_by_role("button", name="Accept the proposal for Housing").click()

    assert "Matched: Housing with offer" in page.locator(".govuk-notification-banner").inner_text()
    housing = page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="Housing", exact=True))
    assert "Matched" in housing.locator(".govuk-tag").inner_text()
    assert "Arrange the viewing and tenancy" in housing.inner_text()
    assert accessibility_violations(page) == []
    [message] = delivered_to(smtp_server, live_app, DIOCESE)
    assert "matched with a family the council is supporting" in message.body
    assert "Mansour" not in message.body

    housing.get_by_role("link", name=re.compile(r"^OF-")).click()
    page.wait_for_url("**/offers/**")
    assert "Matched" in page.locator("main .govuk-tag").first.inner_text()

    page.get_by_role("link", name="Gaps").first.click()
    page.wait_for_url("**/matching/gaps")
    report = page.locator("main").inner_text()
    assert "no offer of this kind at all" in report
    assert "Mansour" not in report
    assert accessibility_violations(page) == []
