"""Every HTML form and every query string in the app, filled with hostile values, as each role that may use it:
no server error, and a refused POST saves nothing.

The routes come from the app's URL map (through the access table, which must list every route), the fields
from the forms each page really shows. Hypothesis picks which fields get which hostile value; it runs
derandomised with a fixed number of examples so CI sees the same cases every time. Each form also gets every
named payload in all of its text fields at once, and every hostile date in all of its date fields.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask, url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resettle.auth.models import Role
from resettle.auth.permissions import PUBLIC
from resettle.extensions import db, limiter
from resettle.families.lha import ensure_lha_rates
from tests.web.sweep import DATE_PAYLOADS, PAYLOADS, QUERY_NAMES, FormOnPage, forms_on, plausible_answers, row_counts
from tests.web.test_access import ROUTE_ACCESS, URL_ARGS

# Pages that are not forms or filters (files, signing out) are left out; everything else is swept. The
# readiness check answers 503 by design on a schema made without migrations, as here (tests/operations).
NOT_SWEPT = {"static", "auth.logout", "funding.download_receipt", "main.ready"}
# CI runs a fixed, small sweep; RESETTLE_SWEEP=full sends every route as every role that may use it, with
# more examples (minutes, for a deeper look before a release).
FULL = os.environ.get("RESETTLE_SWEEP") == "full"
EXAMPLES_PER_ROUTE = 25 if FULL else 2
QUERY_ROUNDS = 4 if FULL else 1
POST_ROUNDS = 6 if FULL else 2
# Rows a refused form may still write: reading a family record is audited even when the change is refused,
# and a refused sign-in is counted by the throttle (that is its purpose).
MAY_GROW_ON_REFUSAL = {"audit_events", "login_throttles"}

OFFER_TYPES = ["housing", "furniture", "esol", "meal", "befriending"]


def _cases() -> list[tuple[str, Role | None, dict[str, Any]]]:
    """Each route as one role that may use it, taking the roles in turn so every role is exercised (or as
    every role in a full sweep)."""
    cases = []
    for index, (endpoint, allowed) in enumerate(sorted(ROUTE_ACCESS.items())):
        if endpoint in NOT_SWEPT:
            continue
        roles: list[Role | None] = [None] if allowed == PUBLIC else sorted(allowed, key=lambda role: role.value)
        if not FULL:
            roles = [roles[index % len(roles)]]
        extra = [{"offer_type": kind} for kind in OFFER_TYPES] if endpoint == "offers_public.offer_details" else [{}]
        for role in roles:
            for overrides in extra:
                cases.append((endpoint, role, overrides))
    return cases


CASES = _cases()


def _case_id(case: tuple[str, Role | None, dict[str, Any]]) -> str:
    endpoint, role, overrides = case
    return "-".join([endpoint, role.value if role else "public", *overrides.values()])


class Sweep:
    """Sends requests and keeps every server error and every half-saved refusal it sees."""

    def __init__(self, client: Any, endpoint: str) -> None:
        self.client, self.endpoint = client, endpoint
        self.problems: list[str] = []
        self.requests = 0

    def send(self, method: str, url: str, data: dict[str, list[str]] | None = None) -> Any:
        self.requests += 1
        before = row_counts() if method == "POST" else None
        try:
            response = self.client.open(url, method=method, data=data)
        except Exception as error:  # the test client re-raises what would have been a 500
            db.session.rollback()
            last = traceback.format_exception_only(error)[-1].strip()[:200]
            self.problems.append(f"{method} {url[:120]} {_short(data)} -> exception {last}")
            return None
        if response.status_code >= 500:
            self.problems.append(f"{method} {url[:120]} {_short(data)} -> {response.status_code}")
        elif before is not None and b"govuk-error-summary" in response.data:
            after = row_counts()
            changed = {
                t: (before[t], after[t]) for t in before if before[t] != after[t] and t not in MAY_GROW_ON_REFUSAL
            }
            if changed:
                self.problems.append(f"POST {url[:120]} {_short(data)} refused but saved {changed}")
        return response


def _short(data: dict[str, list[str]] | None) -> str:
    if not data:
        return ""
    return repr({k: [v[:24] for v in vs] for k, vs in data.items() if k != "csrf_token"})[:300]


@pytest.fixture
def sweep_app(app: Flask, database: Any) -> Iterator[Flask]:
    ensure_lha_rates()
    enabled = limiter.enabled
    limiter.enabled = False  # the sweep sends far more than a person would; limits are tested elsewhere
    yield app
    limiter.enabled = enabled


def _post_forms(forms: list[FormOnPage], url: str) -> list[FormOnPage]:
    return [form for form in forms if form.method == "post" and (form.action in (None, url))]


def _corrupt(answers: dict[str, list[str]], form: FormOnPage, text: str | None, day: list[str] | None) -> dict:
    changed = dict(answers)
    for name in form.values:
        if name in form.date_names and day is not None:
            changed[name] = list(day)
        elif name not in form.date_names and text is not None:
            changed[name] = [text] * max(1, len(answers.get(name) or [""]))
    return changed


def _rotated(names: list[str], offset: int) -> dict[str, str]:
    """Every name gets a different payload; successive offsets move each payload on to the next name."""
    return {name: PAYLOADS[(index + offset) % len(PAYLOADS)] for index, name in enumerate(names)}


@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_no_form_or_query_string_gives_a_server_error(
    sweep_app: Flask, login_as: Any, case: tuple[str, Role | None, dict[str, Any]]
) -> None:
    endpoint, role, overrides = case
    client = login_as(role) if role else sweep_app.test_client()
    with sweep_app.test_request_context():
        url = url_for(endpoint, **{**URL_ARGS.get(endpoint, lambda: {})(), **overrides})
    sweep = Sweep(client, endpoint)
    methods = next(rule.methods for rule in sweep_app.url_map.iter_rules() if rule.endpoint == endpoint) or set()
    token = _csrf_token(client)
    today = date.today()
    forms: list[FormOnPage] = []
    names: list[str] = []
    if "GET" in methods:
        page = sweep.send("GET", url)
        if page is not None and page.status_code == 200 and page.mimetype == "text/html":
            forms = forms_on(page.get_data(as_text=True))
        names = _sweep_query_strings(sweep, url, forms)
    post_forms: list[FormOnPage] = []
    if "POST" in methods:
        post_forms = _post_forms(forms, url) or [FormOnPage(method="post", action=url, values={"reason": ["x"]})]
        for form in post_forms:
            _sweep_named_payloads(sweep, url, form, token, today)

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def a_few_fields_hostile(data: st.DataObject) -> None:
        """The other fields pass, so the hostile ones reach the services behind the form."""
        if not post_forms:
            query = {data.draw(st.sampled_from(names)): data.draw(st.sampled_from(PAYLOADS))} if names else {}
            sweep.send("GET", f"{url}?{urlencode(query)}")
            return
        form = data.draw(st.sampled_from(post_forms))
        answers = plausible_answers(form, today)
        for name in form.values:
            if data.draw(st.integers(0, 3), label=f"corrupt {name}?") == 0:
                if name in form.date_names:
                    answers[name] = data.draw(st.sampled_from(DATE_PAYLOADS), label=name)
                else:
                    answers[name] = [data.draw(st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=30)))]
        sweep.send("POST", url, {**answers, "csrf_token": [token]})

    if "GET" in methods or post_forms:
        a_few_fields_hostile()
    assert sweep.problems == [], f"{len(sweep.problems)} problems:\n" + "\n".join(sweep.problems)


def _sweep_query_strings(sweep: Sweep, url: str, forms: list[FormOnPage]) -> list[str]:
    """The page's own filter fields and the names list pages read, all hostile at once; returns the names."""
    names = QUERY_NAMES + [name for form in forms if form.method == "get" for name in form.values]
    for offset in range(0, len(PAYLOADS), len(PAYLOADS) // QUERY_ROUNDS):
        sweep.send("GET", f"{url}?{urlencode(_rotated(names, offset))}")
    return names


def _sweep_named_payloads(sweep: Sweep, url: str, form: FormOnPage, token: str, today: date) -> None:
    """Every named payload lands in some text field, every hostile date in some date field."""
    answers = plausible_answers(form, today)
    texts = form.text_names()
    for offset in range(0, len(PAYLOADS), max(1, len(PAYLOADS) // max(1, min(len(texts), POST_ROUNDS)))):
        hostile = {name: [value] for name, value in _rotated(texts, offset).items()}
        sweep.send("POST", url, {**answers, **hostile, "csrf_token": [token]})
    dates = sorted(form.date_names)
    for offset in range(0, len(DATE_PAYLOADS), max(1, len(DATE_PAYLOADS) // max(1, len(dates)))):
        hostile = {name: DATE_PAYLOADS[(i + offset) % len(DATE_PAYLOADS)] for i, name in enumerate(dates)}
        sweep.send("POST", url, {**answers, **hostile, "csrf_token": [token]})


def _csrf_token(client: Any) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/login", follow_redirects=True).get_data(as_text=True))
