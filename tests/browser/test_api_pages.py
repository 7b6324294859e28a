"""The API docs page draws the document offline under the CSP, and a caseworker makes a token in the pages."""

from __future__ import annotations

from typing import Any

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, sign_in

pytestmark = pytest.mark.browser


def test_the_api_docs_page_draws_the_document_without_breaking_the_csp(page: Any, live_server: str) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.goto(f"{live_server}/api-docs")
    page.get_by_text("/api/v1/families", exact=True).first.wait_for(timeout=30_000)
    assert not [problem for problem in problems if "Content Security Policy" in problem or "failed" in problem], (
        problems
    )
    requested_hosts = page.evaluate("[...performance.getEntriesByType('resource')].map(e => new URL(e.name).host)")
    assert set(requested_hosts) <= {live_server.removeprefix("http://")}


def test_a_caseworker_creates_and_revokes_a_token(page: Any, live_server: str) -> None:
    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.goto(f"{live_server}/account/api-tokens/new")
    page.get_by_label("Name").fill("Charity export")
    page.get_by_label("Read only").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#api-token").input_value()
    assert secret.startswith("rst_")
    assert accessibility_violations(page) == []
    answer = page.request.get(f"{live_server}/api/v1/token", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["scope"] == "read"
    page.goto(f"{live_server}/account/api-tokens")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Revoke Charity export").click()
    assert "no longer works" in page.locator("main").inner_text()
    gone = page.request.get(f"{live_server}/api/v1/token", headers={"Authorization": f"Bearer {secret}"})
    assert gone.status == 401
