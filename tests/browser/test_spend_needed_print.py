"""The family page's spend section and "Record spend", /needed with a button that offers exactly what is
needed, and the printable summaries of a family and an offer: axe finds no violation of any impact, nothing
scrolls sideways at 375 px, and printing shows the record without buttons, forms or navigation. The README's
screenshot of /needed is taken here."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from resettle.demo import DEMO_PASSWORD
from tests.browser.conftest import accessibility_violations, has_no_horizontal_scroll, sign_in
from tests.browser.test_home import screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1024, "height": 800}
# What printing must hide: the service's chrome, buttons, forms and the print link itself.
HIDDEN_WHEN_PRINTED = (
    ".govuk-header, .app-header, .govuk-service-navigation, .govuk-footer, .govuk-back-link, .govuk-button, "
    "main form, [data-app-print]"
)


def check_here(page: Any, what: str) -> None:
    assert accessibility_violations(page) == [], what
    page.set_viewport_size(PHONE)
    assert has_no_horizontal_scroll(page), f"{what} scrolls sideways at 375 px"
    assert accessibility_violations(page) == [], f"{what} at 375 px"
    page.set_viewport_size(DESKTOP)


def visible_when_printed(page: Any) -> int:
    page.emulate_media(media="print")
    try:
        return page.evaluate(
            "(selector) => [...document.querySelectorAll(selector)].filter((el) => el.getClientRects().length).length",
            HIDDEN_WHEN_PRINTED,
        )
    finally:
        page.emulate_media(media="screen")


def test_needed_lines_open_the_offer_form_filled_in_with_exactly_that(page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto("/needed")
    main = page.locator("main").inner_text()
    assert "About 5 families" in main and "Homes" in main
    check_here(page, "/needed")
    assert screenshot(page, "needed").stat().st_size > 0
    offer_home = page.locator("main a.govuk-button[href^='/offer/housing']")
    assert "Offer this" in offer_home.first.inner_text()
    href = offer_home.first.get_attribute("href")
    answers = {name: values[0] for name, values in parse_qs(urlsplit(href).query).items()}
    assert answers, href
    offer_home.first.click()
    page.wait_for_url("**/offer/housing**")
    assert "We have filled in what families need" in page.locator("main").inner_text()
    if "rent" in answers:
        assert page.get_by_label("Monthly rent").input_value() == answers["rent"]
    if "bedrooms" in answers:
        assert page.get_by_label("How many bedrooms does it have?").input_value() == answers["bedrooms"]
    check_here(page, "the prefilled offer form")


def test_the_family_page_lists_spend_and_records_spend_for_that_family(page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/families/?q=Al-Hassan")
    page.locator("main table tbody a").first.click()
    page.wait_for_load_state()
    spend = page.locator("main").inner_text().split("Spend lines", 1)[1].split("Timeline", 1)[0]
    assert "£" in spend and any(status in spend for status in ("Approved", "Submitted", "Draft", "Committed"))
    check_here(page, "the family page")
    page.get_by_role("button", name="Record spend").click()
    page.wait_for_url("**/funding/spend/new?family=**")
    streams = page.locator("select[name=stream] option").all_inner_texts()
    assert len(streams) > 1 and not any(re.match(r"^[A-Z]{2,4}: ", text) for text in streams[1:]), streams
    assert page.locator("select[name=family]").input_value() in page.url
    check_here(page, "the spend form for one family")


def test_printable_summaries_of_a_family_and_an_offer(page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    sign_in(page, "amira.caseworker@council.example", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/families/?q=Al-Hassan")
    page.locator("main table tbody a").first.click()
    page.wait_for_load_state()
    assert visible_when_printed(page) == 0  # the family page itself prints without its buttons
    page.get_by_role("link", name="Printable case summary").click()
    page.wait_for_url("**/summary")
    assert page.get_by_role("link", name="Print this page").is_visible()
    sections = page.locator("section.app-print-section")
    assert sections.count() >= 7
    assert sections.first.evaluate("(el) => getComputedStyle(el).breakInside") == "auto"
    page.emulate_media(media="print")
    assert sections.first.evaluate("(el) => getComputedStyle(el).breakInside") == "avoid-page"
    page.emulate_media(media="screen")
    assert visible_when_printed(page) == 0
    check_here(page, "the case summary")

    page.goto("/offers/")
    page.locator("main table tbody a").first.click()
    page.get_by_role("link", name="Printable summary").click()
    page.wait_for_url("**/summary")
    assert page.get_by_role("link", name="Print this page").is_visible()
    assert visible_when_printed(page) == 0
    check_here(page, "the offer summary")
