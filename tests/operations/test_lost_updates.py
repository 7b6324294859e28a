"""No lost updates: two people open the same record; the first saves; the second is told who changed it and
what is saved now, keeps their own answers, and can save them over it. Before, both saw "saved" and the
second silently undid the first."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from benchmarks.load import CSRF, Tally, Visitor
from resettle.auth.models import Role
from resettle.extensions import db
from resettle.families.models import Family
from resettle.families.views import family as views_family
from tests.conftest import csrf_token_from
from tests.families.factories import FamilyFactory, NeedFactory
from tests.families.test_pages import family_form
from tests.postgres import wait_for_each_other_after
from tests.served import served_app

VERSION = re.compile(r'name="version"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="version"')


def _opened(client: FlaskClient, url: str) -> dict[str, str]:
    """The edit form as opened: its CSRF token and the version it carries."""
    page = client.get(url).get_data(as_text=True)
    match = VERSION.search(page)
    assert match, f"{url} carries no version"
    return {"csrf_token": csrf_token_from(page), "version": match.group(1) or match.group(2)}


def _edit_answers(**changes: Any) -> dict[str, Any]:
    answers = family_form(**changes)
    for applicant_field in ("applicant_name", "applicant_date_of_birth", "applicant_sex"):
        answers.pop(applicant_field)
    return answers


def test_the_second_save_of_a_family_is_refused_and_explained(login_as: Any) -> None:
    amira, tom = login_as(Role.CASEWORKER), login_as(Role.CASEWORKER)
    family = FamilyFactory(caseworker=amira.user)
    url = f"/families/{family.reference}/edit"
    amira_form, tom_form = _opened(amira, url), _opened(tom, url)

    first = amira.post(url, data={**_edit_answers(name="Darwish family", postcode="SE4 1AA"), **amira_form})
    assert first.status_code == 302
    second = tom.post(url, data={**_edit_answers(name="Al-Darwish family", postcode="SE6 2BB"), **tom_form})

    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Someone else changed this record after you opened it" in page
    assert amira.user.email in page  # who changed it, from the audit log
    assert "Darwish family" in page  # what is saved now
    assert 'value="Al-Darwish family"' in page and 'value="SE6 2BB"' in page  # Tom's answers are kept
    db.session.expire_all()
    assert db.session.get(Family, family.id).name == "Darwish family"

    again = tom.post(url, data={**_edit_answers(name="Al-Darwish family", postcode="SE6 2BB"), **_from(page)})
    assert again.status_code == 302  # saving again applies Tom's answers over Amira's
    db.session.expire_all()
    assert db.session.get(Family, family.id).name == "Al-Darwish family"


def _from(page: str) -> dict[str, str]:
    version = VERSION.search(page)
    assert version
    return {"csrf_token": csrf_token_from(page), "version": version.group(1) or version.group(2)}


def test_a_save_from_an_unchanged_form_goes_through(caseworker_client: FlaskClient) -> None:
    family = FamilyFactory(caseworker=caseworker_client.user)
    url = f"/families/{family.reference}/edit"
    response = caseworker_client.post(url, data={**_edit_answers(name="New name"), **_opened(caseworker_client, url)})
    assert response.status_code == 302
    assert family.version == 2


def test_the_second_save_of_a_need_is_refused(login_as: Any) -> None:
    amira, tom = login_as(Role.CASEWORKER), login_as(Role.CASEWORKER)
    need = NeedFactory(family__caseworker=amira.user)
    url = f"/families/{need.family.reference}/needs/{need.id}/edit"
    answers = {"category": "esol", "priority": "3", "units": "1", "needed_by": ["", "", ""], "status": "open"}
    amira_form, tom_form = _opened(amira, url), _opened(tom, url)
    assert amira.post(url, data={**answers, "priority": "1", **amira_form}).status_code == 302
    refused = tom.post(url, data={**answers, "priority": "5", **tom_form})
    assert refused.status_code == 409
    assert need.priority == 1


def test_the_second_save_of_an_amount_rule_is_refused(login_as: Any, database: Any) -> None:
    from resettle.funding.models import AmountRule
    from resettle.funding.seed import load_funding_configuration

    load_funding_configuration()
    rule = database.session.execute(select(AmountRule).order_by(AmountRule.id)).scalars().first()
    first_admin, second_admin = login_as(Role.ADMIN), login_as(Role.ADMIN)
    url = f"/funding/rules/{rule.id}/edit"
    first_form, second_form = _opened(first_admin, url), _opened(second_admin, url)
    page = first_admin.get(url).get_data(as_text=True)
    answers = {
        "basis": rule.basis.value,
        "amount": f"{rule.amount_pence / 100:.2f}",
        "age_min": "" if rule.age_min is None else str(rule.age_min),
        "age_max": "" if rule.age_max is None else str(rule.age_max),
        "support_year": "" if rule.support_year is None else str(rule.support_year),
        "effective_from": [str(rule.effective_from.day), str(rule.effective_from.month), str(rule.effective_from.year)],
        "effective_to": ["", "", ""],
        "source_ref": rule.source_ref or "",
        "note": "checked",
    }
    assert "version" in page
    saved = first_admin.post(url, data={**answers, **first_form})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    refused = second_admin.post(url, data={**answers, "note": "other", **second_form})
    assert refused.status_code == 409


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    with served_app(tmp_path, "lost_updates", MAIL_SUPPRESS_SEND=True) as served:
        yield served


def test_two_saves_at_the_same_moment_one_wins_one_is_told(
    served: tuple[Flask, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both pass the form's version check and change the family before either commits (they wait for each
    other there): only the version in the UPDATE can stop the second."""
    app, base_url = served
    wait_for_each_other_after(monkeypatch, views_family, "update_family")
    with app.app_context():
        family = db.session.execute(select(Family).where(Family.arrival_date.is_(None))).scalars().first()
        reference = family.reference
        db.session.remove()
    url = f"/families/{reference}/edit"
    people = []
    for email in ("amira.caseworker@council.example", "tom.caseworker@council.example"):
        person = Visitor(base_url, Tally())
        assert person.sign_in(email)
        page = person.request(url)
        token, version = CSRF.search(page), VERSION.search(page)
        assert token and version
        people.append((person, {"csrf_token": token.group(1) or token.group(2), "version": version.group(1)}))
    start = threading.Barrier(2)
    pages: dict[int, str] = {}

    def save(number: int) -> None:
        person, opened = people[number]
        start.wait(timeout=10)
        pages[number] = person.request(url, {**_edit_answers(name=f"Saved by {number}"), **opened})

    threads = [threading.Thread(target=save, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    outcomes = sorted(person.tally.errors[0].split(" ")[0] if person.tally.errors else "saved" for person, _ in people)
    assert outcomes == ["409", "saved"], [
        re.findall(r"govuk-error-message.{0,300}", page, re.S)[:2] for page in pages.values()
    ]
    with app.app_context():
        saved_name = db.session.execute(select(Family.name).where(Family.reference == reference)).scalar_one()
        db.session.remove()
    winner = 0 if not people[0][0].tally.errors else 1
    assert saved_name == f"Saved by {winner}"
