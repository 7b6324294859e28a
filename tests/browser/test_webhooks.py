"""An administrator registers a partner's webhook endpoint in Chromium, copies the secret shown once, sends a
test event (delivered by the job to a real local server) and reads the delivery history; each page passes
axe-core and fits a phone's width."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from resettle.demo import DEMO_PASSWORD
from resettle.extensions import db
from tests.browser.conftest import accessibility_violations, has_no_horizontal_scroll, sign_in
from tests.webhooks.partner import PartnerServer

pytestmark = pytest.mark.browser


@pytest.fixture
def partner() -> Iterator[PartnerServer]:
    server = PartnerServer()
    yield server
    server.close()


def test_registering_an_endpoint_and_sending_a_test_event(page: Any, live_app: Flask, partner: PartnerServer) -> None:
    sign_in(page, "sam.admin@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Webhooks").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Webhooks"
    assert accessibility_violations(page) == [], "webhooks list"
    page.get_by_role("button", name="Register an endpoint").click()

    page.get_by_role("button", name="Register endpoint").click()  # nothing filled in: refused
    assert "Enter the web address" in page.locator(".govuk-error-summary").inner_text()
    assert accessibility_violations(page) == [], "endpoint form with errors"
    page.get_by_label("Web address that receives events").fill(partner.url)
    page.get_by_label("Who is it for (optional)").fill("Refugee Action")
    page.get_by_label("A match is accepted").check()
    page.get_by_role("button", name="Register endpoint").click()

    secret = page.get_by_test_id("webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    assert accessibility_violations(page) == [], "secret page"
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send a test event").click()
    assert "Test event queued" in page.locator(".govuk-notification-banner").inner_text()

    with live_app.app_context():  # what the scheduler does every minute
        from resettle.webhooks.delivery import deliver_pending_webhooks

        assert deliver_pending_webhooks() == 1
        db.session.remove()
    [received] = partner.received
    timestamp = received.headers["Resettle-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256).hexdigest()
    assert received.headers["Resettle-Signature"] == "sha256=" + expected

    page.reload()
    assert "Delivered" in page.locator("table").inner_text()
    assert accessibility_violations(page) == [], "endpoint page"
    page.set_viewport_size({"width": 375, "height": 800})
    assert has_no_horizontal_scroll(page), "endpoint page at 375 px"
    page.get_by_role("link", name="webhook.test").click()
    assert "HTTP 200" in page.locator("main").inner_text()
    assert accessibility_violations(page) == [], "delivery page"
    assert has_no_horizontal_scroll(page), "delivery page at 375 px"
