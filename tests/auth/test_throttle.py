"""Sign-in throttling: guessing slows down, the named person is never locked out, and nothing reveals which
email addresses have accounts (same answers, one password verification on every path)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.auth import passwords
from resettle.auth.models import LoginThrottle, User
from resettle.db import utcnow
from resettle.extensions import db
from tests.conftest import submit_form
from tests.factories import DEFAULT_PASSWORD, UserFactory

WRONG = "Enter a correct email address and password"
THROTTLED = "There have been too many attempts to sign in with this email address"


def _browser(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _attempt(client: FlaskClient, email: str, password: str) -> Any:
    return submit_form(client, "/login", {"email": email, "password": password})


def _answer(response: Any) -> str:
    page = response.get_data(as_text=True)
    if response.status_code == 302:
        return "signed in"
    for message in (WRONG, THROTTLED):
        if message in page:
            return message
    return f"other: {response.status_code}"


def test_a_guesser_cannot_lock_the_person_out_from_their_own_address(app: Flask, database: Any) -> None:
    victim = UserFactory(email="amira@council.example", role=_reviewer())
    attacker = _browser(app, "198.51.100.7")
    answers = [_answer(_attempt(attacker, victim.email, f"guess number {n}")) for n in range(7)]
    assert answers == [WRONG] * 5 + [THROTTLED] * 2
    own_browser = _browser(app, "203.0.113.20")
    assert _answer(_attempt(own_browser, victim.email, DEFAULT_PASSWORD)) == "signed in"


def test_many_addresses_slow_guessing_but_a_browser_the_person_used_before_still_signs_in(
    app: Flask, database: Any
) -> None:
    victim = UserFactory(email="tom@council.example", role=_reviewer())
    office = _browser(app, "203.0.113.20")
    assert _answer(_attempt(office, victim.email, DEFAULT_PASSWORD)) == "signed in"  # a known device from now on
    office.post("/logout", data={"csrf_token": _token(office)})
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        for n in range(10):  # a botnet: two guesses from each of five addresses
            _attempt(_browser(app, f"198.51.100.{n // 2}"), victim.email, f"guess number {n}")
        newcomer = _browser(app, "192.0.2.50")
        assert _answer(_attempt(newcomer, victim.email, DEFAULT_PASSWORD)) == THROTTLED  # even the right password
        assert _answer(_attempt(office, victim.email, DEFAULT_PASSWORD)) == "signed in"
        office.post("/logout", data={"csrf_token": _token(office)})
        for n in range(10, 14):
            traveller.shift(timedelta(minutes=10))
            _attempt(_browser(app, f"198.51.100.{n}"), victim.email, f"guess number {n}")
        traveller.shift(timedelta(seconds=1))
        assert _answer(_attempt(newcomer, victim.email, DEFAULT_PASSWORD)) == THROTTLED
        traveller.shift(timedelta(minutes=6))  # the delay is capped at 5 minutes
        assert _answer(_attempt(newcomer, victim.email, DEFAULT_PASSWORD)) == "signed in"


def test_unknown_and_real_email_addresses_get_the_same_answers(app: Flask, database: Any) -> None:
    real = UserFactory(email="grace@council.example", role=_reviewer())
    sequences = {}
    for email in (real.email, "nobody@council.example"):
        start = utcnow()
        with time_machine.travel(start, tick=False) as traveller:
            answers = []
            for n in range(12):
                answers.append(_answer(_attempt(_browser(app, f"198.51.100.{n % 3}"), email, f"wrong {n}")))
                traveller.shift(timedelta(seconds=1))
            sequences[email] = answers
    assert sequences[real.email] == sequences["nobody@council.example"]
    assert THROTTLED in sequences[real.email]


@pytest.mark.parametrize("case", ["unknown", "wrong", "throttled", "no password yet"])
def test_every_path_runs_one_password_verification(app: Flask, database: Any, case: str, monkeypatch: Any) -> None:
    """Equal work on every path, so response time does not reveal which accounts exist or are throttled."""
    user = UserFactory(email="sam@council.example", role=_reviewer())
    client = _browser(app, "198.51.100.1")
    if case == "throttled":
        for n in range(5):
            _attempt(client, user.email, f"wrong {n}")
    if case == "no password yet":
        user.password_hash = None
        db.session.commit()
    verified: list[str] = []
    original = type(passwords._test_hasher).verify

    def counting_verify(self: Any, hash: str, password: str) -> bool:
        verified.append(hash.split("$")[3])  # the parameters part: m, t, p
        return original(self, hash, password)

    monkeypatch.setattr(type(passwords._test_hasher), "verify", counting_verify)
    email = "nobody@council.example" if case == "unknown" else user.email
    password = DEFAULT_PASSWORD if case == "throttled" else "wrong password"
    answer = _answer(_attempt(client, email, password))
    assert answer == (THROTTLED if case == "throttled" else WRONG)
    assert verified == ["m=1024,t=1,p=1"]  # one verification, with the same parameters as a real hash


def test_wrong_passwords_are_counted_per_account_and_cleared_by_signing_in(app: Flask, database: Any) -> None:
    user = UserFactory(email="priya@council.example", role=_reviewer())
    client = _browser(app, "198.51.100.1")
    for n in range(3):
        _attempt(client, user.email, f"wrong {n}")
    db.session.refresh(user)
    assert user.failed_login_count == 3
    assert user.last_failed_login_at is not None
    assert _answer(_attempt(client, user.email, DEFAULT_PASSWORD)) == "signed in"
    db.session.refresh(user)
    assert user.failed_login_count == 0
    remaining = db.session.execute(select(LoginThrottle)).scalars().all()
    assert [row.failures for row in remaining] == [3]  # the count from every address stays; this address's goes


def test_throttle_rows_hold_no_email_or_address_in_the_clear(app: Flask, database: Any) -> None:
    _attempt(_browser(app, "198.51.100.1"), "someone@council.example", "wrong")
    keys = db.session.execute(select(LoginThrottle.key)).scalars().all()
    assert len(keys) == 2
    assert all("someone" not in key and "198.51" not in key for key in keys)


def _token(client: FlaskClient) -> str:
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/account").get_data(as_text=True))


def _reviewer() -> Any:
    from resettle.auth.models import Role

    return Role.REVIEWER


def test_user_model_has_no_hard_lock() -> None:
    assert not hasattr(User, "locked_until")
