"""An API read runs a fixed number of SQL statements: each GET route of the API is called with a personal token of
a role it allows, with a small data set and again after more of every kind of record has been added; the number
of statements must not grow (lists are pages of a cursor, reads load what they show in a fixed number)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for

from resettle.api.models import TokenScope
from resettle.auth.models import Role
from resettle.clock import local_today
from resettle.extensions import db
from resettle.offers.models import OfferStatus
from resettle.taxonomy import Category
from tests.api.clients import api_client
from tests.families.factories import NeedFactory
from tests.matching.factories import MatchFactory
from tests.offers.factories import GoodsOfferFactory
from tests.web.test_statement_counts import _args_for, _count, _first_world, _grow, _role_for


def _matches(family: Any) -> None:
    """Matches, which the pages' world has none of: one of the family's and one of another family's."""
    offer = GoodsOfferFactory(status=OfferStatus.VERIFIED, item_lines=[("bed", 1), ("sofa", 1)])
    MatchFactory(need=NeedFactory(family=family, category=Category.FURNITURE, item="bed"), offer=offer)
    MatchFactory(need=NeedFactory(category=Category.FURNITURE, item="sofa"), offer=offer)


def _query_for(endpoint: str, stream: Any) -> dict[str, Any]:
    """The query string a route needs to answer: the claim preview of the test's scheme up to today."""
    if endpoint == "api_funding.preview_claim_batch":
        return {"scheme": stream.scheme.code, "period_end": local_today().isoformat()}
    return {}


def _api_endpoints() -> list[str]:
    from resettle import create_app
    from resettle.config import TestConfig
    from tests.web.test_access import ROUTE_ACCESS

    app = create_app(TestConfig)
    return sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/")
            and "GET" in (rule.methods or ())
            and rule.endpoint in ROUTE_ACCESS
            and _role_for(rule.endpoint) is not None
        }
    )


@pytest.mark.parametrize("endpoint", _api_endpoints())
def test_api_statements_do_not_grow_with_the_data(app: Flask, database: Any, login_as: Any, endpoint: str) -> None:
    role = _role_for(endpoint)
    assert role is not None
    caseworker = login_as(Role.CASEWORKER).user
    user = caseworker if role is Role.CASEWORKER else login_as(role).user
    client = api_client(app, user, TokenScope.READ)
    family, stream = _first_world(caseworker)
    _matches(family)
    with app.test_request_context():
        url = url_for(endpoint, **_args_for(endpoint, family), **_query_for(endpoint, stream))
    _count(app, client, url)  # a first request warms what is loaded once per process
    small, status = _count(app, client, url)
    _grow(caseworker, stream, family)
    _matches(family)
    db.session.flush()
    larger, status_after = _count(app, client, url)
    # The token is of a role the route allows: the route itself answers (a record it cannot find is a 404).
    assert status in (200, 404) and status_after in (200, 404), f"{url}: {status} then {status_after}"
    assert larger <= small, f"{url}: {small} statements with a small data set, {larger} with more"
