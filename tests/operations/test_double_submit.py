"""Create forms carry a one-time key: the same form sent twice (a double click, a resend, two at once) makes
one record, and the second answer shows what the first made. Before the keys, two "add family" posts at once
made two families, and the public offer form made two offers and sent two emails."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from benchmarks.load import CSRF, Tally, Visitor
from resettle.extensions import db
from resettle.families.models import CaseNote, Family, Member, Need
from resettle.families.views import family as views_family
from resettle.offers.models import Offer
from resettle.web.submissions import ALREADY_SENT
from tests.conftest import csrf_token_from
from tests.families.factories import FamilyFactory
from tests.families.test_pages import family_form
from tests.offers.answers import MEAL, OFFERER
from tests.postgres import wait_for_each_other_after
from tests.served import served_app
from tests.smtp import SMTPServer

KEY = re.compile(r'name="submission_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="submission_key"')


def _count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _form_keys(client: FlaskClient, url: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    match = KEY.search(page)
    assert match, f"{url} has no submission key"
    return {"csrf_token": csrf_token_from(page), "submission_key": match.group(1) or match.group(2)}


def _post_twice(client: FlaskClient, url: str, answers: dict[str, Any]) -> tuple[Any, Any]:
    keys = _form_keys(client, url)
    first = client.post(url, data={**answers, **keys})
    second = client.post(url, data={**answers, **keys})
    return first, second


def test_each_form_opened_gets_a_new_key(caseworker_client: FlaskClient) -> None:
    first = _form_keys(caseworker_client, "/families/new")["submission_key"]
    second = _form_keys(caseworker_client, "/families/new")["submission_key"]
    assert first != second and len(first) >= 32


def test_adding_a_family_twice_with_one_key_makes_one_family(caseworker_client: FlaskClient) -> None:
    first, second = _post_twice(caseworker_client, "/families/new", family_form())
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(Family) == 1 and _count(Member) == 1
    page = caseworker_client.get(second.headers["Location"]).get_data(as_text=True)
    assert ALREADY_SENT in page


def test_a_new_key_adds_another_family(caseworker_client: FlaskClient) -> None:
    _post_twice(caseworker_client, "/families/new", family_form())
    caseworker_client.post("/families/new", data={**family_form(), **_form_keys(caseworker_client, "/families/new")})
    assert _count(Family) == 2


def test_a_refused_form_keeps_its_key_for_the_corrected_resend(caseworker_client: FlaskClient) -> None:
    keys = _form_keys(caseworker_client, "/families/new")
    refused = caseworker_client.post("/families/new", data={**family_form(scheme="XYZ"), **keys})
    assert refused.status_code == 200 and _count(Family) == 0
    corrected = caseworker_client.post("/families/new", data={**family_form(), **keys})
    assert corrected.status_code == 302 and _count(Family) == 1


@pytest.mark.parametrize(
    ("path", "answers", "model"),
    [
        ("members/new", {"full_name": "Lina Darwish", "date_of_birth": ["1", "2", "2015"], "sex": "female",
                         "relationship_to_applicant": "child", "english_level": "not_assessed",
                         "activity": "school", "languages": "Arabic"}, Member),
        ("notes", {"body": "Called about the school place."}, CaseNote),
    ],
)  # fmt: skip
def test_family_create_forms_sent_twice_make_one_record(
    caseworker_client: FlaskClient, path: str, answers: dict[str, Any], model: type
) -> None:
    family = FamilyFactory(caseworker=caseworker_client.user)
    before = _count(model)
    first, second = _post_twice(caseworker_client, f"/families/{family.reference}/{path}", answers)
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(model) == before + 1


def test_raising_a_need_twice_makes_one_need(caseworker_client: FlaskClient) -> None:
    family = FamilyFactory(caseworker=caseworker_client.user)
    answers = {"category": "esol", "priority": "3", "units": "1", "title": "ESOL classes", "needed_by": ["", "", ""]}
    # The need form is asked after the kind of need is chosen.
    url = f"/families/{family.reference}/needs/new?category=esol"
    first, second = _post_twice(caseworker_client, url, answers)
    assert first.status_code == 302, first.get_data(as_text=True)[:3000]
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(Need) == 1


def test_the_public_offer_form_sent_twice_makes_one_offer_and_one_email(
    client: FlaskClient, smtp_server: SMTPServer
) -> None:
    first, second = _post_twice(client, "/offer/meal", MEAL)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(Offer) == 1
    assert len(smtp_server.messages_to(OFFERER["offerer_email"])) == 1


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    with served_app(tmp_path, "double_submit", MAIL_SUPPRESS_SEND=True) as served:
        yield served


def test_two_posts_of_one_form_at_the_same_moment_make_one_family(
    served: tuple[Flask, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests create their family before either stores the key (they wait for each other there), so
    only the key's unique constraint can stop the second."""
    app, base_url = served
    wait_for_each_other_after(monkeypatch, views_family, "create_family")
    with app.app_context():
        families_before = _count(Family)
        db.session.remove()
    browser = Visitor(base_url, Tally())
    assert browser.sign_in("amira.caseworker@council.example")
    page = browser.request("/families/new")
    match = CSRF.search(page)
    key = KEY.search(page)
    assert match and key
    answers = {**family_form(), "csrf_token": match.group(1) or match.group(2)}
    answers["submission_key"] = key.group(1) or key.group(2)
    pages: list[str] = []
    start = threading.Barrier(2)

    def send() -> None:
        start.wait(timeout=10)
        pages.append(browser.request("/families/new", answers))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert browser.tally.errors == []
    assert len(pages) == 2 and all("Omar Darwish" in page for page in pages)  # both show the family page
    with app.app_context():
        assert _count(Family) == families_before + 1
        db.session.remove()
