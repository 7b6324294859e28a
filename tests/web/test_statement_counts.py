"""A page runs a fixed number of SQL statements: over the route table, each GET page is opened with a small data
set and again after more of every kind of record has been added (to the family on the page and around it); the
number of statements must not grow. Pages listed in KNOWN_GROWTH still grow and are reported, not hidden: the
test fails if one of them stops growing (so the list only shrinks) or any other page starts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask, url_for
from sqlalchemy import event

from resettle.auth.models import Role
from resettle.auth.permissions import PUBLIC
from resettle.db import utcnow
from resettle.extensions import db
from resettle.families.models import FamilyStatus
from resettle.funding.allocation import RuleBasis
from resettle.funding.models import StreamScope
from resettle.funding.spend_models import SpendStatus
from resettle.offers.models import OfferStatus
from resettle.taxonomy import Category
from tests.families.factories import CaseNoteFactory, MemberFactory, NeedFactory, TaskFactory
from tests.funding.factories import (
    AmountRuleFactory,
    ArrivedFamilyFactory,
    ClaimBatchFactory,
    FundingStreamFactory,
    ReceiptFactory,
    SpendLineFactory,
)
from tests.matching.factories import MatchRunFactory, MatchRunRequestFactory, ProposalFactory
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
