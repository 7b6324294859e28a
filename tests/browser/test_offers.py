"""Residents offer a home (after a mistake) and furniture through the real pages; a caseworker verifies the home.
Every page on the way is checked for serious accessibility faults."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, delivered_to, sign_in
from tests.smtp import SMTPServer

pytestmark = pytest.mark.browser

RESIDENT = "helen.landlord@example.org"


def _fill_offerer(page: Any, name: str, email: str) -> None:
    page.get_by_label("Your full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("I agree that the council may keep these details").check()


def _fill_date(page: Any, name: str, days_from_today: int) -> None:
    """The live server runs on the real clock, so dates are relative to today."""
    day = date.today() + timedelta(days=days_from_today)
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def _offer_home_with_a_mistake_first(page: Any) -> str:
    page.goto("/offer")
    assert page.title() == "Offer help to refugee families – Resettle"
    assert accessibility_violations(page) == []
    page.get_by_label("A home to rent").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/offer/housing")
    assert accessibility_violations(page) == []

    page.get_by_label("Address of the home").fill("Flat 2, 48 Hither Green Lane")
    page.get_by_label("Postcode").fill("SE13 6QP")
    page.get_by_label("Monthly rent").fill("1944.67")  # the number of bedrooms is forgotten
    page.locator("input[name=step_free][value=yes]").check()
    page.get_by_label("Private landlord (an individual)").check()
    page.get_by_label("Gas safety certificate (CP12) from the last 12 months").check()
    _fill_date(page, "available_from", 30)
    _fill_offerer(page, "Helen Park", RESIDENT)
    page.get_by_role("button", name="Send offer").click()

    summary = page.locator(".govuk-error-summary")
    assert "Enter the number of bedrooms" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert page.get_by_label("Address of the home").input_value() == "Flat 2, 48 Hither Green Lane"
    assert page.get_by_label("Your full name").input_value() == "Helen Park"
    assert accessibility_violations(page) == []
    summary.get_by_role("link", name="Enter the number of bedrooms").click()
    page.get_by_label("How many bedrooms does it have?").fill("3")
    page.get_by_label("I agree that the council may keep these details").check()
    page.get_by_role("button", name="Send offer").click()

    panel = page.locator(".govuk-panel")
    assert "Offer sent" in panel.inner_text()
    reference = re.search(r"OF-[A-Z0-9]{6}", panel.inner_text()).group(0)
    assert accessibility_violations(page) == []
    return reference


def test_residents_offer_a_home_and_furniture_and_a_caseworker_verifies_the_home(
    page: Any, smtp_server: SMTPServer, live_app: Any
) -> None:
    reference = _offer_home_with_a_mistake_first(page)

    [message] = delivered_to(smtp_server, live_app, RESIDENT)
    link = re.search(r"https?://\S+/offer/manage/\S+", message.body).group(0)
    page.goto(link)
    assert reference in page.locator("main").inner_text()
    assert accessibility_violations(page) == []

    page.goto("/offer/furniture")
    page.locator("#items-0-kind").select_option("cot")
    page.locator("#items-0-quantity").fill("1")
    page.locator("#items-0-condition").select_option("as_new")
    page.locator("#items-1-kind").select_option("washing_machine")
    page.locator("#items-1-quantity").fill("1")
    page.locator("#items-1-condition").select_option("good")
    page.get_by_label("I can deliver the items").check()
    page.get_by_label("Postcode where the items are").fill("SE12 8PT")
    _fill_offerer(page, "Priya Natarajan", "priya.furniture@example.org")
    page.get_by_role("button", name="Send offer").click()
    assert "Offer sent" in page.locator(".govuk-panel").inner_text()

    page.goto("/needed")
    assert page.get_by_role("heading", level=1).inner_text() == "What families need now"
    assert accessibility_violations(page) == []

    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Offers").first.click()
    page.wait_for_url("**/offers/")
    assert accessibility_violations(page) == []
    page.get_by_label("Reference, name or email").fill(reference)
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=reference).click()
    assert "Helen Park" in page.locator("main").inner_text()
    assert accessibility_violations(page) == []

    page.get_by_role("button", name="Verify").click()
    assert accessibility_violations(page) == []
    page.locator("input[name=has_gas_supply][value=yes]").check()
    _fill_date(page, "gas_safety_checked_on", -50)
    _fill_date(page, "electrical_report_on", -900)
    page.locator("input[name=epc_rating][value=C]").check()
    page.get_by_label("There is a working smoke alarm on every storey").check()
    page.get_by_label("There is a carbon monoxide alarm in every room").check()
    _fill_date(page, "inspected_on", -3)
    page.get_by_role("button", name="Verify offer").click()

    assert f"Offer {reference} verified" in page.locator(".govuk-notification-banner").inner_text()
    assert "Verified" in page.locator("main .govuk-tag").first.inner_text()
    assert "Submitted → Verified" in page.locator("main").inner_text()
    assert accessibility_violations(page) == []


def test_every_offer_form_and_the_link_pages_are_accessible(page: Any) -> None:
    for path in (
        "/offer/esol",
        "/offer/meal",
        "/offer/befriending",
        "/offer/other",
        "/offer/new-link",
        "/offer/manage/not-a-valid-link",
    ):
        page.goto(path)
        assert accessibility_violations(page) == [], path
    page.goto("/offer/esol")
    page.get_by_role("button", name="Send offer").click()
    assert "Enter how many learners" in page.locator(".govuk-error-summary").inner_text()
    assert accessibility_violations(page) == []


def test_staff_action_pages_are_accessible(page: Any) -> None:
    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/offers/?status=any&category=esol")
    page.locator("main table a").first.click()
    offer_path = urlsplit(page.url).path
    for action in ("edit", "status", "reject", "duplicate"):
        page.goto(f"{offer_path}/{action}")
        assert accessibility_violations(page) == [], action
