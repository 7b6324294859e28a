"""Every staff page in plain English: a walk over every GET page of the route table, as each role that may open
it, with some of every kind of record (the statement guard's world) and an audit log that has seen them, fails
on visible text that holds an ISO date ("2026-03-03"), a snake_case code ("task_completed") or a funding stream
code ("vprs-core") where its name belongs. CSV, JSON and files are not pages and keep their ISO dates."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask import Flask, url_for
from sqlalchemy import select

from resettle.auth.models import Role
from resettle.auth.permissions import PUBLIC
from resettle.extensions import db
from resettle.funding.models import FundingStream
from resettle.taxonomy import Category
from tests.web.test_access import ROUTE_ACCESS
from tests.web.test_statement_counts import NOT_PAGES, _args_for, _first_world, _grow

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# Downloads and machine answers, not pages people read.
NOT_READ = {
    "funding.download_receipt",
    "dataprotection.export_request",
    "dataprotection.export_request_json",
}


class VisibleText(HTMLParser):
    """The text a person sees or hears: text nodes outside script and style (including visually hidden text,
    which screen readers read), and nothing from attributes. A `<code data-verbatim>` element shows a machine
    document exactly as it was sent (a webhook's JSON body), which, like a CSV or JSON file, keeps its codes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0
        self._verbatim = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._skipping += 1
        if tag == "code" and ("data-verbatim" in dict(attrs) or self._verbatim):
            self._verbatim += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._skipping:
            self._skipping -= 1
        if tag == "code" and self._verbatim:
            self._verbatim -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and not self._verbatim and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def raw_values(html: str, stream_codes: set[str]) -> list[str]:
    found = []
    for text in visible_text(html):
        found += [f"ISO date {m!r} in {text!r}" for m in ISO_DATE.findall(text)]
        found += [f"code {m!r} in {text!r}" for m in SNAKE_CASE.findall(text)]
        found += [f"stream code {code!r} in {text!r}" for code in stream_codes if re.search(rf"\b{code}\b", text)]
    return found


def _more_words(family: Any) -> Any:
    """Records whose values pages turn into words: a need the run left unmet for named rules, an offer's history
    and a snoozed task."""
    from datetime import timedelta

    from resettle.clock import local_today
    from resettle.matching.models import MatchRun, UnmetNeed, UnmetReason
    from resettle.offers.models import OfferEvent, OfferStatus
    from tests.families.factories import NeedFactory, TaskFactory
    from tests.offers.factories import HousingOfferFactory

    run = db.session.execute(select(MatchRun).order_by(MatchRun.id.desc()).limit(1)).scalar_one()
    need = NeedFactory(family=family, category=Category.HOUSING, bedrooms_min=4, step_free=True)
    db.session.add(
        UnmetNeed(
            run=run, need=need, reason=UnmetReason.NO_COMPATIBLE_OFFER, blocking=["bedrooms", "step_free", "home_visit"]
        )
    )
    offer = HousingOfferFactory(status=OfferStatus.VERIFIED)
    db.session.add(OfferEvent(offer=offer, action="availability_changed", actor_label="The offerer", note=""))
    today = local_today()
    TaskFactory(
        family=family,
        assignee=family.caseworker,
        snoozed_until=today + timedelta(days=3),
        snooze_reason="Waiting for the landlord",
        due_on=today - timedelta(days=2),
    )
    return offer


def _pages(app: Flask) -> list[str]:
    endpoints = set()
    for rule in app.url_map.iter_rules():
        if (
            "GET" in (rule.methods or ())
            and rule.endpoint not in NOT_PAGES | NOT_READ
            and rule.endpoint in ROUTE_ACCESS
            and ROUTE_ACCESS[rule.endpoint] != PUBLIC
            and not rule.rule.endswith((".csv", ".json"))
        ):
            endpoints.add(rule.endpoint)
    return sorted(endpoints)


def test_staff_pages_show_no_raw_values(app: Flask, database: Any, login_as: Any) -> None:
    clients = {role: login_as(role) for role in (Role.CASEWORKER, Role.REVIEWER, Role.ADMIN)}
    family, stream = _first_world(clients[Role.CASEWORKER].user)
    _grow(clients[Role.CASEWORKER].user, stream, family)
    offer = _more_words(family)
    db.session.flush()
    codes = set(db.session.execute(select(FundingStream.code)).scalars())
    pages = _pages(app)
    # The audit log last, once every other page has written its entries.
    pages.sort(key=lambda endpoint: endpoint.startswith("audit."))
    problems: dict[str, list[str]] = {}
    read = 0
    for endpoint in pages:
        for role in (Role.CASEWORKER, Role.REVIEWER, Role.ADMIN):
            if role not in ROUTE_ACCESS[endpoint]:
                continue
            with app.test_request_context():
                url = url_for(endpoint, **_args_for(endpoint, family))
            response = clients[role].get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            read += 1
            found = raw_values(response.get_data(as_text=True), codes)
            if found:
                problems[f"{role.value} {url}"] = sorted(set(found))[:12]
    assert read > 100, f"only {read} pages read"
    with app.test_request_context():
        offer_page = url_for("offers.offer_detail", offer_id=offer.id)
    found = raw_values(clients[Role.CASEWORKER].get(offer_page).get_data(as_text=True), codes)
    if found:
        problems[f"caseworker {offer_page}"] = found
    assert problems == {}, "\n".join(f"{page}: {found}" for page, found in problems.items())


def test_the_check_finds_raw_values() -> None:
    html = (
        "<main><p>Due 2026-03-03</p><p>task_completed</p><script>var a_b = '2026-01-01'</script>"
        '<p title="x_y">Core tariff (vprs-core)</p><p>3 March 2026</p></main>'
    )
    assert raw_values(html, {"vprs-core"}) == [
        "ISO date '2026-03-03' in 'Due 2026-03-03'",
        "code 'task_completed' in 'task_completed'",
        "stream code 'vprs-core' in 'Core tariff (vprs-core)'",
    ]


def test_a_verbatim_document_keeps_its_codes_and_other_code_is_checked() -> None:
    html = '<p><code data-verbatim>{"occurred_at": "2026-11-30"}</code></p><p><code>task_completed</code></p>'
    assert raw_values(html, set()) == ["code 'task_completed' in 'task_completed'"]
