"""A page runs a fixed number of SQL statements: over the route table, each GET page is opened with a small data
set and again after more of every kind of record has been added (to the family on the page and around it); the
number of statements must not grow. Pages listed in KNOWN_GROWTH still grow and are reported, not hidden: the
test fails if one of them stops growing (so the list only shrinks) or any other page starts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask, url_for
from markupsafe import escape
from sqlalchemy import event

from resettle.auth.models import Role
from resettle.auth.permissions import PUBLIC
from resettle.clock import local_today
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.models import FamilyStatus
from resettle.funding.allocation import RuleBasis
from resettle.funding.models import StreamScope
from resettle.funding.spend_models import SpendStatus
from resettle.offers.models import OfferStatus
from resettle.taxonomy import Category
from tests.families.factories import CaseNoteFactory, FamilyFactory, MemberFactory, NeedFactory, TaskFactory
from tests.funding.factories import (
    AmountRuleFactory,
    ArrivedFamilyFactory,
    ClaimBatchFactory,
    FundingStreamFactory,
    ReceiptFactory,
    SpendLineFactory,
)
from tests.matching.factories import MatchFactory, MatchRunFactory, MatchRunRequestFactory, ProposalFactory
from tests.offers.factories import GoodsOfferFactory, OfferFactory
from tests.web.test_access import ROUTE_ACCESS, URL_ARGS

# Pages whose statements still grow with the data (each a known gap, named in the README).
KNOWN_GROWTH: set[str] = set()

# The readiness check is not a page, and answers 503 on a schema made without migrations (tests/operations).
NOT_PAGES = {"static", "auth.logout", "main.ready"}


def _world(caseworker: Any, stream: Any, family: Any = None) -> Any:
    run = _RUN[0]
    """One family with some of every record a page may show, and offers and runs around it."""
    family = family or ArrivedFamilyFactory(caseworker=caseworker, status=FamilyStatus.ARRIVED)
    MemberFactory(family=family)
    MemberFactory(family=family, date_of_birth=date(2012, 5, 1))
    need = NeedFactory(family=family, category=Category.FURNITURE, item="bed")
    NeedFactory(family=family, category=Category.ESOL)
    TaskFactory(family=family, assignee=caseworker)
    CaseNoteFactory(family=family)
    line = SpendLineFactory(family=family, stream=stream, created_by=caseworker)
    ReceiptFactory(spend_line=line)
    SpendLineFactory(
        family=family,
        stream=stream,
        created_by=caseworker,
        status=SpendStatus.APPROVED,
        submitted_at=utcnow(),
        decided_by=caseworker,
        decided_at=utcnow(),
    )
    SpendLineFactory(
        family=family, stream=stream, created_by=caseworker, status=SpendStatus.SUBMITTED, submitted_at=utcnow()
    )
    offer = GoodsOfferFactory(status=OfferStatus.VERIFIED, item_lines=[("bed", 2), ("sofa", 1)])
    OfferFactory(status=OfferStatus.VERIFIED, category=Category.ESOL)
    ProposalFactory(run=run, need=need, offer=offer, offer_item=offer.items[0])
    ClaimBatchFactory()
    MatchRunRequestFactory()
    return family


_RUN: list[Any] = []  # the run every proposal belongs to, so the caseload page shows them all


def _first_world(caseworker: Any) -> tuple[Any, Any]:
    _RUN[:] = [MatchRunFactory()]
    stream = FundingStreamFactory(code="vprs-core", categories=[Category.FURNITURE, Category.ESOL])
    AmountRuleFactory(stream=stream, basis=RuleBasis.PER_PERSON, amount_pence=100_000)
    AmountRuleFactory(stream=stream, basis=RuleBasis.PER_ESOL_ADULT, amount_pence=85_000)
    pool = FundingStreamFactory(
        code="vprs-pool", scope=StreamScope.POOL, categories=[Category.HOUSING], scheme=stream.scheme
    )
    AmountRuleFactory(stream=pool, basis=RuleBasis.COUNCIL_FIXED, amount_pence=1_000_000)
    return _world(caseworker, stream), stream


def _grow(caseworker: Any, stream: Any, family: Any) -> None:
    _world(caseworker, stream, family)  # more of everything on the family itself
    for _ in range(2):
        _world(caseworker, stream)  # and more families, offers, lines, runs around it


def _role_for(endpoint: str) -> Role | None:
    allowed = ROUTE_ACCESS[endpoint]
    if allowed == PUBLIC:
        return None
    for role in (Role.CASEWORKER, Role.REVIEWER, Role.ADMIN):
        if role in allowed:
            return role
    return None


def _args_for(endpoint: str, family: Any) -> dict[str, Any]:
    """The page's parameters pointing at the busy family where the route takes one."""
    args = URL_ARGS.get(endpoint, lambda: {})()
    if "reference" in args and "need_id" not in args and "member_id" not in args:
        args["reference"] = family.reference
    return args


def _get_endpoints(app: Flask) -> list[str]:
    endpoints = set()
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.endpoint not in NOT_PAGES and rule.endpoint in ROUTE_ACCESS:
            endpoints.add(rule.endpoint)
    return sorted(endpoints)


def _count(app: Flask, client: Any, url: str) -> tuple[int, int]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    # The test's connection is in a transaction; listen on the engine its session uses.
    engine = db.session.get_bind()
    target = engine.engine if hasattr(engine, "engine") else engine
    event.listen(target, "before_cursor_execute", before)
    try:
        response = client.get(url)
        response.get_data()
        response.close()
    finally:
        event.remove(target, "before_cursor_execute", before)
    return len([s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]), (
        response.status_code
    )


def pytest_generate_tests(metafunc: Any) -> None:
    if metafunc.function.__name__ == "test_statements_do_not_grow_with_the_data":
        from resettle import create_app
        from resettle.config import TestConfig

        metafunc.parametrize("endpoint", _get_endpoints(create_app(TestConfig)))


def test_statements_do_not_grow_with_the_data(app: Flask, database: Any, login_as: Any, endpoint: str) -> None:
    role = _role_for(endpoint)
    client = login_as(role) if role else app.test_client()
    caseworker = client.user if role is Role.CASEWORKER else login_as(Role.CASEWORKER).user
    family, stream = _first_world(caseworker)
    with app.test_request_context():
        url = url_for(endpoint, **_args_for(endpoint, family))
    _count(app, client, url)  # a first request warms what is loaded once per process
    small, status = _count(app, client, url)
    _grow(caseworker, stream, family)
    db.session.flush()
    larger, status_after = _count(app, client, url)
    assert status < 500 and status_after < 500, f"{url}: {status} then {status_after}"
    if endpoint in KNOWN_GROWTH:
        assert larger > small, f"{endpoint} no longer grows ({small} -> {larger}): take it off KNOWN_GROWTH"
    else:
        assert larger <= small, f"{url}: {small} statements with a small data set, {larger} with more"


def test_known_growth_lists_only_routes(app: Flask) -> None:
    assert KNOWN_GROWTH <= {rule.endpoint for rule in app.url_map.iter_rules()}


def _statements(app: Flask, client: Any, url: str) -> int:
    _count(app, client, url)  # warm what is loaded once per process
    count, status = _count(app, client, url)
    assert status == 200, f"{url}: {status}"
    return count


def test_my_tasks_statements_stay_the_same_past_a_page(app: Flask, database: Any, login_as: Any) -> None:
    me = login_as(Role.CASEWORKER)
    today = local_today()
    family = FamilyFactory(caseworker=me.user)
    TaskFactory(family=family, assignee=me.user, due_on=today - timedelta(days=2))
    few = _statements(app, me, "/tasks/")
    for number in range(520):  # more than a page, in each window, each of a family of its own (past 500, the
        # number an eager load asks for in one statement)
        TaskFactory(
            assignee=me.user,
            family=FamilyFactory(caseworker=me.user),
            due_on=today + timedelta(days=number % 60 - 20),
            snoozed_until=today + timedelta(days=3) if number % 10 == 0 else None,
            snooze_reason="Waiting for a letter" if number % 10 == 0 else "",
        )
    database.session.flush()
    assert _statements(app, me, "/tasks/") == few
    assert _statements(app, me, "/tasks/?page=3") == few
    assert _statements(app, me, "/tasks/?window=later&page=2") == few


def test_a_spend_line_page_costs_the_same_whatever_the_line_links_to(app: Flask, database: Any, login_as: Any) -> None:
    """A bare draft, and a claimed line with a need, a match for an offer's item line, a decision by another
    person, a claim batch and receipts: the same statements (nothing loaded only when a link is set)."""
    caseworker = login_as(Role.CASEWORKER)
    reviewer = login_as(Role.REVIEWER)
    stream = FundingStreamFactory(categories=[Category.FURNITURE])
    bare = SpendLineFactory(stream=stream, created_by=caseworker.user)
    family = ArrivedFamilyFactory(caseworker=caseworker.user)
    need = NeedFactory(family=family, category=Category.FURNITURE, item="bed")
    offer = GoodsOfferFactory(status=OfferStatus.VERIFIED, item_lines=[("bed", 2)])
    match = MatchFactory(need=need, offer=offer, offer_item=offer.items[0])
    linked = SpendLineFactory(
        family=family,
        stream=stream,
        need=need,
        match=match,
        created_by=caseworker.user,
        status=SpendStatus.CLAIMED,
        submitted_at=utcnow(),
        decided_by=reviewer.user,
        decided_at=utcnow(),
        claim_batch=ClaimBatchFactory(),
    )
    ReceiptFactory(spend_line=linked)
    ReceiptFactory(spend_line=linked)
    database.session.flush()
    for client in (caseworker, reviewer):
        counts = [_statements(app, client, f"/funding/spend/{line.public_id}") for line in (bare, linked)]
        assert counts[0] == counts[1], f"as {client.user.role.value}: {counts}"


def test_the_proposals_page_costs_the_same_whatever_its_proposals_link_to(
    app: Flask, database: Any, login_as: Any
) -> None:
    """Free proposals of a nightly run and no lost offers, then paid proposals of an item line of a run someone
    started, and a match whose offer was withdrawn: the same statements."""
    caseworker = login_as(Role.CASEWORKER)
    admin = login_as(Role.ADMIN)
    family = ArrivedFamilyFactory(caseworker=caseworker.user)
    started = utcnow() - timedelta(hours=2)
    nightly = MatchRunFactory(started_at=started, started_by=None)
    for _ in range(2):
        ProposalFactory(run=nightly, need=NeedFactory(family=family, category=Category.ESOL))
    database.session.flush()
    before = {client: _statements(app, client, "/matching/") for client in (caseworker, admin)}

    manual = MatchRunFactory(started_at=started + timedelta(hours=1), started_by=admin.user)
    stream = FundingStreamFactory(categories=[Category.FURNITURE])
    for _ in range(2):
        offer = GoodsOfferFactory(status=OfferStatus.VERIFIED, item_lines=[("bed", 2), ("sofa", 1)])
        ProposalFactory(
            run=manual,
            need=NeedFactory(family=family, category=Category.FURNITURE, item="bed"),
            offer=offer,
            offer_item=offer.items[0],
            stream=stream,
            charge_pence=5_000,
        )
    gone = MatchFactory(
        need=NeedFactory(family=family, category=Category.FURNITURE, item="sofa"),
        offer=GoodsOfferFactory(status=OfferStatus.WITHDRAWN, item_lines=[("sofa", 1)]),
    )
    database.session.flush()
    for client, count in before.items():
        page = client.get("/matching/").get_data(as_text=True)
        assert f"by {escape(admin.user.name)}" in page and f"£50.00 from {stream.name}" in page
        assert f"offer {gone.offer.reference} withdrawn" in page
        assert _statements(app, client, "/matching/") == count, f"as {client.user.role.value}"


def test_run_pages_cost_the_same_whoever_started_or_asked_for_the_runs(
    app: Flask, database: Any, login_as: Any
) -> None:
    """Run history with nightly runs only, then with runs started by two people; the progress page of a request
    nobody signed and that has no run yet, and of one asked for by a person whose run is done: the same
    statements."""
    admin = login_as(Role.ADMIN)
    reviewer = login_as(Role.REVIEWER)
    started = utcnow() - timedelta(hours=3)
    for hours in range(2):
        MatchRunFactory(started_at=started + timedelta(minutes=hours), started_by=None)
    bare = MatchRunRequestFactory(requested_by=None, run=None)
    database.session.flush()
    history = {client: _statements(app, client, "/matching/runs") for client in (admin, reviewer)}
    for number, person in enumerate((admin.user, reviewer.user)):
        MatchRunFactory(started_at=started + timedelta(hours=1, minutes=number), started_by=person)
    linked = MatchRunRequestFactory(requested_by=admin.user, run=MatchRunFactory(started_by=admin.user))
    database.session.flush()
    for client in (admin, reviewer):
        assert _statements(app, client, "/matching/runs") == history[client], f"as {client.user.role.value}"
    for client in (admin, login_as(Role.CASEWORKER)):
        progress = [
            _statements(app, client, f"/matching/runs/progress/{request.public_id}") for request in (bare, linked)
        ]
        assert progress[0] == progress[1], f"as {client.user.role.value}: {progress}"
